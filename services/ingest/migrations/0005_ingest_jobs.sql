-- Ingestion jobs as a resource: one row per processing request, batches that group them, and a
-- durable outbox of signed callbacks.

ALTER TABLE ingest_file DROP CONSTRAINT IF EXISTS ingest_file_status_check;
ALTER TABLE ingest_file ADD CONSTRAINT ingest_file_status_check
    CHECK (status IN ('pending', 'processing', 'completed', 'failed', 'cancelled'));

CREATE TABLE ingest_batch (
    id           text PRIMARY KEY,
    user_id      text NOT NULL,
    callback_url text,
    created_at   bigint NOT NULL
);
CREATE INDEX ingest_batch_user ON ingest_batch (user_id, created_at DESC);

CREATE TABLE ingest_job (
    id           text PRIMARY KEY,
    -- Creation order (created_at has whole seconds only).
    seq          bigserial NOT NULL,
    file_id      text NOT NULL REFERENCES ingest_file (id) ON DELETE CASCADE,
    batch_id     text REFERENCES ingest_batch (id) ON DELETE SET NULL,
    user_id      text NOT NULL,
    key_id       text NOT NULL DEFAULT '',
    state        text NOT NULL CHECK (state IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
    -- Deliveries of this job to a worker so far.
    attempts     int NOT NULL DEFAULT 0,
    error        text,
    callback_url text,
    -- The job this one retries.
    retry_of     text,
    created_at   bigint NOT NULL,
    started_at   bigint,
    finished_at  bigint
);
CREATE INDEX ingest_job_user_seq ON ingest_job (user_id, seq DESC);
CREATE INDEX ingest_job_seq ON ingest_job (seq DESC);
CREATE INDEX ingest_job_batch ON ingest_job (batch_id, state) WHERE batch_id IS NOT NULL;
CREATE INDEX ingest_job_file ON ingest_job (file_id);
-- At most one unfinished job per file: a new request supersedes the one before it.
CREATE UNIQUE INDEX ingest_job_file_active ON ingest_job (file_id) WHERE state IN ('queued', 'running');
CREATE INDEX ingest_job_queued ON ingest_job (created_at) WHERE state = 'queued';

-- Callbacks to deliver, written in the transaction that ends a job or a batch.
CREATE TABLE ingest_callback (
    id           bigserial PRIMARY KEY,
    job_id       text,
    batch_id     text,
    url          text NOT NULL,
    -- The exact JSON body that is signed and sent.
    payload      bytea NOT NULL,
    attempts     int NOT NULL DEFAULT 0,
    -- Epoch seconds of the next try; a replica taking one moves it past its timeout (a lease).
    next_at      double precision NOT NULL,
    delivered_at bigint,
    failed_at    bigint,
    last_error   text,
    created_at   bigint NOT NULL
);
CREATE INDEX ingest_callback_due ON ingest_callback (next_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
