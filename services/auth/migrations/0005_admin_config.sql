-- The admin config (POST /api/v1/auths/admin/config): one row of the values an admin has set.
-- A key absent from `config` takes the auth service's environment value (its default).
CREATE TABLE auth_admin_config (
    id         boolean PRIMARY KEY DEFAULT true CHECK (id),
    config     jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(config) = 'object'),
    updated_at timestamptz NOT NULL DEFAULT now()
);
