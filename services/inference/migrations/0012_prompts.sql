-- Prompts (Open WebUI's `prompt` table, /api/v1/prompts): slash-command templates with tags, an
-- on/off switch, access grants and versions.
CREATE TABLE inference_prompt (
    id          text PRIMARY KEY,
    -- Globally unique, as typed after the slash (no leading `/` is added or stripped).
    command     text NOT NULL UNIQUE,
    user_id     text NOT NULL,
    name        text NOT NULL,
    content     text NOT NULL,
    data        jsonb NOT NULL DEFAULT '{}'::jsonb,
    meta        jsonb NOT NULL DEFAULT '{}'::jsonb,
    tags        text[] NOT NULL DEFAULT '{}',
    is_active   boolean NOT NULL DEFAULT true,
    -- The live (production) version: a row of inference_prompt_history.
    version_id  text,
    created_at  bigint NOT NULL,
    updated_at  bigint NOT NULL
);
-- `GET /` and `/list` (newest first, 30 a page) and `view_option=created` (the caller's own).
CREATE INDEX inference_prompt_updated ON inference_prompt (updated_at DESC, id);
CREATE INDEX inference_prompt_owner ON inference_prompt (user_id, updated_at DESC);

-- Who besides the owner may read or write a prompt. Grants go with their prompt.
CREATE TABLE inference_prompt_access_grant (
    id              text PRIMARY KEY,
    prompt_id       text NOT NULL REFERENCES inference_prompt (id) ON DELETE CASCADE,
    principal_type  text NOT NULL,
    -- A user or group id, or `*` (every signed-in user).
    principal_id    text NOT NULL,
    permission      text NOT NULL,
    -- The order the sharer listed them in.
    position        integer NOT NULL,
    created_at      bigint NOT NULL,
    UNIQUE (prompt_id, principal_type, principal_id, permission)
);
-- Listing the prompts granted to a user, to every user, or to one of the user's groups.
CREATE INDEX inference_prompt_access_grant_principal
    ON inference_prompt_access_grant (principal_type, principal_id, permission);

-- Versions (Open WebUI's `prompt_history`): a snapshot of name, content, command, data, meta, tags
-- and grants per create and per update that changed name, command, content or tags.
CREATE TABLE inference_prompt_history (
    id              text PRIMARY KEY,
    prompt_id       text NOT NULL REFERENCES inference_prompt (id) ON DELETE CASCADE,
    -- The version this one was made from; NULL for the first (or once that one is deleted).
    parent_id       text,
    snapshot        jsonb NOT NULL,
    user_id         text NOT NULL,
    commit_message  text,
    created_at      bigint NOT NULL,
    -- Store order: versions made in the same second still list newest first.
    seq             bigint GENERATED ALWAYS AS IDENTITY
);
-- A prompt's history, newest first, 20 a page.
CREATE INDEX inference_prompt_history_prompt ON inference_prompt_history (prompt_id, seq DESC);
