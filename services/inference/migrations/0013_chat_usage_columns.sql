-- Open WebUI's usage and analytics routes (/api/v1/users/usage, /api/v1/analytics/*) aggregate the
-- stored messages: assistant messages' model and token counts, per day, user, model and chat.
--
-- The model and the normalised token counts are kept as generated columns, computed once when a
-- message is written, so the aggregates are plain sums over indexed rows rather than JSON parsing
-- of every message at query time. Counts are read as Open WebUI normalises them:
-- input = input_tokens | prompt_tokens | prompt_eval_count,
-- output = output_tokens | completion_tokens | eval_count | predicted_n.
-- A value that is not a plain non-negative integer counts 0: a generated column must never fail
-- the write of a client's message.
CREATE FUNCTION inference_usage_count(usage json, keys text[]) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN v ~ '^[0-9]{1,15}$' THEN v::bigint ELSE 0 END
    FROM (
        SELECT CASE WHEN json_typeof(usage) = 'object' THEN
            coalesce(usage ->> keys[1], usage ->> keys[2], usage ->> keys[3], usage ->> keys[4])
        END AS v
    ) picked
$$;

ALTER TABLE inference_chat_message
    ADD COLUMN model_id text GENERATED ALWAYS AS (
        CASE WHEN role = 'assistant' AND json_typeof(message) = 'object' THEN message ->> 'model' END
    ) STORED,
    ADD COLUMN input_tokens bigint GENERATED ALWAYS AS (
        CASE WHEN json_typeof(message) = 'object' THEN inference_usage_count(
            message -> 'usage', ARRAY['input_tokens', 'prompt_tokens', 'prompt_eval_count'])
        ELSE 0 END
    ) STORED,
    ADD COLUMN output_tokens bigint GENERATED ALWAYS AS (
        CASE WHEN json_typeof(message) = 'object' THEN inference_usage_count(
            message -> 'usage', ARRAY['output_tokens', 'completion_tokens', 'eval_count', 'predicted_n'])
        ELSE 0 END
    ) STORED;

-- Admin analytics over a date range (all users, or a group's members) and per model.
CREATE INDEX inference_chat_message_created ON inference_chat_message (created_at);
CREATE INDEX inference_chat_message_model ON inference_chat_message (model_id, created_at)
    WHERE model_id IS NOT NULL;
