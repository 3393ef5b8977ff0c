-- Users with their bcrypt hash, hashed API keys, revoked JWTs and sign-in attempts.
CREATE TABLE auth_user (
    id                text PRIMARY KEY,
    name              text NOT NULL,
    email             text NOT NULL UNIQUE,
    role              text NOT NULL CHECK (role IN ('pending', 'user', 'admin')),
    profile_image_url text NOT NULL,
    primary_admin     boolean NOT NULL DEFAULT false,
    password_hash     text NOT NULL,
    session_stamp     text NOT NULL,
    created_at        bigint NOT NULL,
    updated_at        bigint NOT NULL,
    last_active_at    bigint NOT NULL
);
-- At most one primary admin, ever.
CREATE UNIQUE INDEX auth_user_one_primary_admin ON auth_user (primary_admin) WHERE primary_admin;

CREATE TABLE auth_api_key (
    user_id    text PRIMARY KEY REFERENCES auth_user (id) ON DELETE CASCADE,
    key_hash   text NOT NULL UNIQUE,
    last4      text NOT NULL,
    created_at bigint NOT NULL
);

CREATE TABLE auth_revoked_token (
    jti        text PRIMARY KEY,
    expires_at bigint
);

CREATE TABLE auth_signin_attempt (
    id           bigserial PRIMARY KEY,
    email        text NOT NULL,
    attempted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX auth_signin_attempt_email_time ON auth_signin_attempt (email, attempted_at);
