-- Free-standing text collections (`/retrieval/process/text`, `/process/web`, `/process/files/batch`
-- into a name that is neither a file's nor a knowledge base's): who owns a name, and the texts in it.
CREATE TABLE ingest_text_collection (
    name          text PRIMARY KEY,
    user_id       text NOT NULL,
    access_grants jsonb NOT NULL DEFAULT '[]'::jsonb,
    created_at    bigint NOT NULL,
    updated_at    bigint NOT NULL
);

-- One text added to a collection (any collection name: a knowledge base's too). The same text
-- added again to the same collection replaces the earlier one (keyed by its hash).
CREATE TABLE ingest_text_document (
    id           text PRIMARY KEY,
    collection   text NOT NULL,
    content_hash text NOT NULL,
    name         text NOT NULL,
    user_id      text NOT NULL,
    -- The whole text and its document-wide metadata, for `"context": "full"` (ReadDocuments).
    content      text NOT NULL,
    metadata     jsonb NOT NULL,
    created_at   bigint NOT NULL,
    UNIQUE (collection, content_hash)
);

-- Chunks of those texts; ids come from ingest_chunk's sequence, so that a chunk id names one chunk
-- whichever table holds it (a FAISS copy mixes both).
CREATE TABLE ingest_text_chunk (
    id          bigint PRIMARY KEY DEFAULT nextval(pg_get_serial_sequence('ingest_chunk', 'id')),
    document_id text NOT NULL REFERENCES ingest_text_document (id) ON DELETE CASCADE,
    seq         int NOT NULL,
    text        text NOT NULL,
    text_hash   bytea NOT NULL,
    metadata    jsonb NOT NULL,
    UNIQUE (document_id, seq)
);
-- Embedding garbage collection (embedding_gc.py) asks whether any text chunk still uses a vector.
CREATE INDEX ingest_text_chunk_text_hash ON ingest_text_chunk (text_hash);
