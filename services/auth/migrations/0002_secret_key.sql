-- The JWT signing key generated when WEBUI_SECRET_KEY is unset: one row, shared by every replica.
CREATE TABLE auth_secret_key (
    id         boolean PRIMARY KEY DEFAULT true CHECK (id),
    secret     text NOT NULL CHECK (secret <> ''),
    created_at timestamptz NOT NULL DEFAULT now()
);
