-- Python tools (Open WebUI's `tool` table): code, the function specs derived from it, meta and the
-- admin valves.
CREATE TABLE inference_tool (
    id          text PRIMARY KEY,
    user_id     text NOT NULL,
    name        text NOT NULL,
    content     text NOT NULL,
    specs       jsonb NOT NULL DEFAULT '[]'::jsonb,
    meta        jsonb NOT NULL DEFAULT '{}'::jsonb,
    valves      jsonb,
    created_at  bigint NOT NULL,
    updated_at  bigint NOT NULL
);

-- Who besides the owner may read or write a tool (Open WebUI's `tool` access grants). Grants go
-- with their tool (ON DELETE CASCADE).
CREATE TABLE inference_tool_access_grant (
    id              text PRIMARY KEY,
    tool_id         text NOT NULL REFERENCES inference_tool (id) ON DELETE CASCADE,
    principal_type  text NOT NULL,
    -- A user or group id, or `*` (every signed-in user).
    principal_id    text NOT NULL,
    permission      text NOT NULL,
    -- The order the sharer listed them in.
    position        integer NOT NULL,
    created_at      bigint NOT NULL,
    UNIQUE (tool_id, principal_type, principal_id, permission)
);
-- Listing the tools granted to a user.
CREATE INDEX inference_tool_access_grant_principal
    ON inference_tool_access_grant (principal_type, principal_id);

-- Each user's valves of a tool (Open WebUI keeps them in `settings.tools.valves.<tool_id>`).
CREATE TABLE inference_tool_user_valves (
    tool_id     text NOT NULL REFERENCES inference_tool (id) ON DELETE CASCADE,
    user_id     text NOT NULL,
    valves      jsonb NOT NULL DEFAULT '{}'::jsonb,
    updated_at  bigint NOT NULL,
    PRIMARY KEY (tool_id, user_id)
);
