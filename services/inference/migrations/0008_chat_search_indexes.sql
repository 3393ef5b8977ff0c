-- Chat search and the pinned list at size (bench/chats.py: 10,000 chats of 20 messages).
--
-- Phrase search is a case-insensitive substring match. ILIKE lower-cases each candidate message
-- at query time (about 10 µs for 1 KB), the larger part of a search when a phrase is in thousands
-- of messages. `content_lower` keeps the lower-cased text, computed once at write time:
-- `content_lower LIKE lower(pattern)` is what `content_text ILIKE pattern` computes (PostgreSQL's
-- ILIKE lower-cases text and pattern with the column's collation, then matches as LIKE).
ALTER TABLE inference_chat_message
    ADD COLUMN content_lower text GENERATED ALWAYS AS (lower(content_text)) STORED;

-- `GET /api/v1/chats/pinned`: the caller's pinned, non-archived chats, newest first.
CREATE INDEX inference_chat_pinned ON inference_chat (user_id, updated_at DESC)
    WHERE pinned AND NOT archived;

-- The trigram index moves to the lower-cased text (search no longer reads `content_text` through
-- it). Only where 0003 could install pg_trgm: without it (no `gin_trgm_ops`), a phrase is matched
-- by a scan, as before, and nothing else changes.
DO $$
BEGIN
    CREATE INDEX inference_chat_message_lower_trgm ON inference_chat_message
        USING gin (content_lower gin_trgm_ops);
    DROP INDEX IF EXISTS inference_chat_message_trgm;
EXCEPTION WHEN undefined_object THEN
    RAISE NOTICE 'pg_trgm unavailable: chat phrase search without a trigram index';
END
$$;
