-- Sign-in attempts keyed by e-mail and source address, with their outcome (NULL while the password
-- is being checked). Older rows name no source; they are at most one window old, so they go.
DELETE FROM auth_signin_attempt;
ALTER TABLE auth_signin_attempt
    ADD COLUMN source    text NOT NULL DEFAULT '',
    ADD COLUMN succeeded boolean;
CREATE INDEX auth_signin_attempt_source_time ON auth_signin_attempt (source, attempted_at);
CREATE INDEX auth_signin_attempt_time ON auth_signin_attempt (attempted_at);
