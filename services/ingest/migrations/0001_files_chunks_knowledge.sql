-- Files and their bytes, chunks with content-addressed embeddings, knowledge collections.

-- Owners as the gateway last described them (name, e-mail, role), for the `user` objects of lists.
CREATE TABLE ingest_user (
    id         text PRIMARY KEY,
    name       text NOT NULL,
    email      text NOT NULL,
    role       text NOT NULL,
    updated_at bigint NOT NULL
);

CREATE TABLE ingest_file (
    id           text PRIMARY KEY,
    -- Upload order (created_at has whole seconds only).
    seq          bigserial NOT NULL,
    user_id      text NOT NULL,
    filename     text NOT NULL,
    content_type text NOT NULL,
    size         bigint NOT NULL DEFAULT 0,
    file_hash    text,
    -- The sha256 of the extracted text once processed (Open WebUI's `hash`).
    hash         text,
    -- NULL: uploaded with process=false (`data` is `{}`).
    status       text CHECK (status IN ('pending', 'processing', 'completed', 'failed')),
    error        text,
    content      text,
    client_meta  jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at   bigint NOT NULL,
    updated_at   bigint NOT NULL
);
CREATE INDEX ingest_file_user_seq ON ingest_file (user_id, seq DESC);
CREATE INDEX ingest_file_seq ON ingest_file (seq DESC);
CREATE INDEX ingest_file_unfinished ON ingest_file (updated_at) WHERE status IN ('pending', 'processing');

-- The uploaded bytes, in parts, so that neither side ever holds a whole file.
CREATE TABLE ingest_file_part (
    file_id text NOT NULL REFERENCES ingest_file (id) ON DELETE CASCADE,
    seq     int NOT NULL,
    data    bytea NOT NULL,
    PRIMARY KEY (file_id, seq)
);

-- One vector per distinct chunk text: identical text is embedded once, ever.
CREATE TABLE ingest_embedding (
    text_hash bytea PRIMARY KEY,
    -- float32 little-endian, normalized.
    vector    bytea NOT NULL
);

CREATE TABLE ingest_chunk (
    id          bigserial PRIMARY KEY,
    file_id     text NOT NULL REFERENCES ingest_file (id) ON DELETE CASCADE,
    seq         int NOT NULL,
    text        text NOT NULL,
    text_hash   bytea NOT NULL,
    metadata    jsonb NOT NULL,
    UNIQUE (file_id, seq)
);

CREATE TABLE ingest_knowledge (
    id            text PRIMARY KEY,
    user_id       text NOT NULL,
    name          text NOT NULL,
    description   text NOT NULL DEFAULT '',
    meta          jsonb,
    access_grants jsonb NOT NULL DEFAULT '[]'::jsonb,
    created_at    bigint NOT NULL,
    updated_at    bigint NOT NULL
);
CREATE INDEX ingest_knowledge_user ON ingest_knowledge (user_id);

CREATE TABLE ingest_knowledge_file (
    knowledge_id text NOT NULL REFERENCES ingest_knowledge (id) ON DELETE CASCADE,
    file_id      text NOT NULL REFERENCES ingest_file (id) ON DELETE CASCADE,
    added_at     bigint NOT NULL,
    PRIMARY KEY (knowledge_id, file_id)
);
CREATE INDEX ingest_knowledge_file_file ON ingest_knowledge_file (file_id);

-- Every collection (`file-<id>` and each knowledge id) has a version, bumped in the transaction
-- that changes it; an in-memory FAISS copy older than this is stale.
CREATE TABLE ingest_collection (
    name    text PRIMARY KEY,
    version bigint NOT NULL DEFAULT 1
);
