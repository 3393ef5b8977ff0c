-- Stored chats (Open WebUI's `chat`, `chat_message` and `tag` tables).
--
-- A chat is one row plus one row per message, so that appending or changing a message rewrites
-- that message's row, not the whole chat. The chat blob (`chat`) and each message object are `json`,
-- not `jsonb`: they are the client's objects and come back with the client's key order, as Open
-- WebUI returns them; nothing queries inside them. Server-shaped objects (`meta`, `variables`) are
-- `jsonb`. `version` grows with every write, so a writer that read an older chat retries.
CREATE TABLE inference_chat (
    id                  text PRIMARY KEY,
    user_id             text NOT NULL,
    title               text NOT NULL,
    -- The blob without `history.messages` (those are the message rows).
    chat                json NOT NULL,
    meta                jsonb NOT NULL DEFAULT '{}'::jsonb,
    variables           jsonb NOT NULL DEFAULT '{}'::jsonb,
    tasks               jsonb,
    summary             text,
    share_id            text,
    folder_id           text,
    archived            boolean NOT NULL DEFAULT false,
    pinned              boolean NOT NULL DEFAULT false,
    current_message_id  text,
    last_read_at        bigint,
    created_at          bigint NOT NULL,
    updated_at          bigint NOT NULL,
    version             bigint NOT NULL DEFAULT 0,
    -- A tsvector holds at most 1 MB: whole-word search sees the first 128 Ki characters (up to
    -- ~3.5 bytes of tsvector each); phrase search (ILIKE) sees all of the text.
    title_tsv           tsvector GENERATED ALWAYS AS (to_tsvector('simple', left(title, 131072))) STORED
);
CREATE INDEX inference_chat_user_updated ON inference_chat (user_id, archived, updated_at DESC);
CREATE INDEX inference_chat_title_tsv ON inference_chat USING gin (title_tsv);
CREATE INDEX inference_chat_tags ON inference_chat USING gin ((meta -> 'tags'));
CREATE UNIQUE INDEX inference_chat_share_id ON inference_chat (share_id) WHERE share_id IS NOT NULL;

CREATE TABLE inference_chat_message (
    chat_id       text NOT NULL REFERENCES inference_chat (id) ON DELETE CASCADE,
    id            text NOT NULL,
    parent_id     text,
    role          text,
    user_id       text,
    -- The message's text (string content, or its text parts), for search.
    content_text  text NOT NULL DEFAULT '',
    message       json NOT NULL,
    -- Order of the `history.messages` map, as the client built it.
    position      bigint NOT NULL,
    created_at    bigint NOT NULL,
    updated_at    bigint NOT NULL,
    content_tsv   tsvector GENERATED ALWAYS AS (to_tsvector('simple', left(content_text, 131072))) STORED,
    PRIMARY KEY (chat_id, id)
);
CREATE INDEX inference_chat_message_tsv ON inference_chat_message USING gin (content_tsv);

CREATE TABLE inference_chat_tag (
    user_id  text NOT NULL,
    id       text NOT NULL,
    name     text NOT NULL,
    meta     jsonb,
    PRIMARY KEY (user_id, id)
);

-- Phrase search is ILIKE '%…%', which only a trigram index serves. pg_trgm is a trusted extension
-- (PostgreSQL 13+), but a managed server may still refuse it: then search runs on the full-text
-- indexes and a scan of the caller's own chats, and nothing else changes.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX inference_chat_title_trgm ON inference_chat USING gin (title gin_trgm_ops);
    CREATE INDEX inference_chat_message_trgm ON inference_chat_message USING gin (content_text gin_trgm_ops);
EXCEPTION WHEN insufficient_privilege OR undefined_file OR feature_not_supported THEN
    RAISE NOTICE 'pg_trgm unavailable: chat search without trigram indexes';
END
$$;
