-- Uploads still arriving. Their parts are written in short statements as the bytes come, so that
-- no connection or transaction waits on a slow client; the file row and its parts are created
-- together, in one short transaction, once the last byte is in.
CREATE TABLE ingest_upload (
    id         text PRIMARY KEY,
    user_id    text NOT NULL,
    -- Refreshed while the process receiving it is alive; an upload whose process died is swept.
    touched_at bigint NOT NULL
);
CREATE INDEX ingest_upload_user ON ingest_upload (user_id);
CREATE INDEX ingest_upload_touched ON ingest_upload (touched_at);

CREATE TABLE ingest_upload_part (
    upload_id text NOT NULL REFERENCES ingest_upload (id) ON DELETE CASCADE,
    seq       int NOT NULL,
    data      bytea NOT NULL,
    PRIMARY KEY (upload_id, seq)
);
