-- Functions (Open WebUI's `function` table) and per-user valves.
CREATE TABLE inference_function (
    id          text PRIMARY KEY,
    user_id     text NOT NULL,
    name        text NOT NULL,
    type        text NOT NULL,
    content     text NOT NULL,
    meta        jsonb NOT NULL DEFAULT '{}'::jsonb,
    valves      jsonb,
    is_active   boolean NOT NULL DEFAULT false,
    is_global   boolean NOT NULL DEFAULT false,
    load_error  text,
    created_at  bigint NOT NULL,
    updated_at  bigint NOT NULL
);

CREATE TABLE inference_function_user_valves (
    function_id text NOT NULL REFERENCES inference_function (id) ON DELETE CASCADE,
    user_id     text NOT NULL,
    valves      jsonb NOT NULL DEFAULT '{}'::jsonb,
    updated_at  bigint NOT NULL,
    PRIMARY KEY (function_id, user_id)
);

-- Workspace models (Open WebUI's `model` table).
CREATE TABLE inference_model (
    id             text PRIMARY KEY,
    user_id        text NOT NULL,
    base_model_id  text,
    name           text NOT NULL,
    params         jsonb NOT NULL DEFAULT '{}'::jsonb,
    meta           jsonb NOT NULL DEFAULT '{}'::jsonb,
    access_grants  jsonb NOT NULL DEFAULT '[]'::jsonb,
    is_active      boolean NOT NULL DEFAULT true,
    created_at     bigint NOT NULL,
    updated_at     bigint NOT NULL
);

-- Bumped by every change to either table, so each replica knows when its cached copy is stale.
CREATE TABLE inference_catalog_version (
    name     text PRIMARY KEY,
    version  bigint NOT NULL
);
INSERT INTO inference_catalog_version (name, version) VALUES ('functions', 0), ('models', 0);
