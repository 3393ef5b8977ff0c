-- Usage records (issue 18): one row per billable operation, written by inference and ingest
-- through services/common/usage/recorder.py; rows older than USAGE_ROLLUP_AFTER_DAYS are summed
-- into usage_daily and deleted (services/common/usage/rollup.py).

CREATE TABLE usage_record (
    id             text    PRIMARY KEY,          -- written by the recorder: a retried batch is idempotent
    at             bigint  NOT NULL,             -- epoch ms
    kind           text    NOT NULL,             -- chat | tool_round | embeddings | ingest
    user_id        text    NOT NULL,
    key_id         text    NOT NULL DEFAULT '',  -- '' for session callers
    group_ids      text[]  NOT NULL DEFAULT '{}',
    model          text    NOT NULL DEFAULT '',
    upstream       text    NOT NULL DEFAULT '',
    status         text    NOT NULL,             -- 'ok' or the HTTP-ish status / 'error'
    latency_ms     integer NOT NULL DEFAULT 0,
    input_tokens   bigint  NOT NULL DEFAULT 0,
    output_tokens  bigint  NOT NULL DEFAULT 0,
    context_tokens bigint  NOT NULL DEFAULT 0,   -- RAG context injected into the prompt
    chunks         integer NOT NULL DEFAULT 0,   -- ingest: chunks embedded
    estimated      boolean NOT NULL DEFAULT false,
    request_id     text    NOT NULL DEFAULT ''
);
-- The query filters: by time (roll-up and every query), by user, key and model within a time range,
-- and by group membership.
CREATE INDEX usage_record_at ON usage_record (at);
CREATE INDEX usage_record_user_at ON usage_record (user_id, at);
CREATE INDEX usage_record_key_at ON usage_record (key_id, at) WHERE key_id <> '';
CREATE INDEX usage_record_model_at ON usage_record (model, at);
CREATE INDEX usage_record_groups ON usage_record USING gin (group_ids);

-- Rolled-up records: sums per UTC day, user, key, groups, model, kind and upstream.
CREATE TABLE usage_daily (
    day                date    NOT NULL,
    user_id            text    NOT NULL,
    key_id             text    NOT NULL,
    group_ids          text[]  NOT NULL,
    model              text    NOT NULL,
    kind               text    NOT NULL,
    upstream           text    NOT NULL,
    requests           bigint  NOT NULL,
    errors             bigint  NOT NULL,
    input_tokens       bigint  NOT NULL,
    output_tokens      bigint  NOT NULL,
    context_tokens     bigint  NOT NULL,
    chunks             bigint  NOT NULL,
    estimated_requests bigint  NOT NULL,
    latency_ms_sum     bigint  NOT NULL,
    PRIMARY KEY (day, user_id, key_id, model, kind, upstream, group_ids)
);
CREATE INDEX usage_daily_user_day ON usage_daily (user_id, day);
CREATE INDEX usage_daily_key_day ON usage_daily (key_id, day) WHERE key_id <> '';
CREATE INDEX usage_daily_groups ON usage_daily USING gin (group_ids);
