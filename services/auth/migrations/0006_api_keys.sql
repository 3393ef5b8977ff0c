-- Many named, scoped API keys per user. The one key each user had becomes the key named
-- `default` (kind full, no expiry, no lists), which Open WebUI's single-key routes manage.
ALTER TABLE auth_api_key DROP CONSTRAINT auth_api_key_pkey;
ALTER TABLE auth_api_key
    ADD COLUMN id            text,
    ADD COLUMN name          text NOT NULL DEFAULT 'default',
    ADD COLUMN kind          text NOT NULL DEFAULT 'full'
        CHECK (kind IN ('full', 'chat', 'ingest', 'read')),
    -- Epoch seconds; NULL for a key that never expires.
    ADD COLUMN expires_at    bigint,
    -- Empty lists mean "any" (models) or "any the user may read" (collections, files).
    ADD COLUMN model_ids     text[] NOT NULL DEFAULT '{}',
    ADD COLUMN knowledge_ids text[] NOT NULL DEFAULT '{}',
    ADD COLUMN file_ids      text[] NOT NULL DEFAULT '{}',
    -- Epoch seconds, refreshed at most once a minute; NULL until first used.
    ADD COLUMN last_used_at  bigint;
UPDATE auth_api_key SET id = md5(random()::text || clock_timestamp()::text || user_id);
ALTER TABLE auth_api_key ALTER COLUMN id SET NOT NULL;
ALTER TABLE auth_api_key ADD PRIMARY KEY (id);
ALTER TABLE auth_api_key ALTER COLUMN name DROP DEFAULT;
CREATE UNIQUE INDEX auth_api_key_user_name ON auth_api_key (user_id, name);
