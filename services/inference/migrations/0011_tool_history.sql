-- Versions of Python tools (Open WebUI's tool history): every create and update stores a snapshot
-- of the tool's name, code, specs and meta. Versions go with their tool (ON DELETE CASCADE).
CREATE TABLE inference_tool_history (
    id              text PRIMARY KEY,
    tool_id         text NOT NULL REFERENCES inference_tool (id) ON DELETE CASCADE,
    -- The version this one was made from; NULL for the first (or when that one was deleted).
    parent_id       text,
    user_id         text NOT NULL,
    commit_message  text,
    name            text NOT NULL,
    content         text NOT NULL,
    specs           jsonb NOT NULL DEFAULT '[]'::jsonb,
    meta            jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at      bigint NOT NULL,
    -- Store order: versions made in the same second still list newest first.
    seq             bigint GENERATED ALWAYS AS IDENTITY
);
-- A tool's history, newest first.
CREATE INDEX inference_tool_history_tool ON inference_tool_history (tool_id, seq DESC);

-- The tool's current version.
ALTER TABLE inference_tool ADD COLUMN version_id text;

-- Tools stored before versions were kept start with one.
WITH firsts AS (
    SELECT id AS tool_id, gen_random_uuid()::text AS version_id FROM inference_tool
), added AS (
    INSERT INTO inference_tool_history (id, tool_id, parent_id, user_id, commit_message, name, content,
                                        specs, meta, created_at)
    SELECT f.version_id, t.id, NULL, t.user_id, NULL, t.name, t.content, t.specs, t.meta, t.updated_at
    FROM firsts f JOIN inference_tool t ON t.id = f.tool_id
    RETURNING id, tool_id
)
UPDATE inference_tool t SET version_id = a.id FROM added a WHERE t.id = a.tool_id;
