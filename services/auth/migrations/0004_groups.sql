-- User groups (Open WebUI's `group` table, with members in a table of their own), and the stored
-- default permission tree. Groups nest through parent_group_id; the service refuses cycles and
-- re-parents the children of a deleted group to its parent (services/auth/groups.py).
CREATE TABLE auth_group (
    id              text PRIMARY KEY,
    user_id         text NOT NULL,
    name            text NOT NULL,
    description     text NOT NULL DEFAULT '',
    data            jsonb,
    meta            jsonb,
    permissions     jsonb,
    -- SET NULL only as a backstop: deletes go through the service, which re-parents first.
    parent_group_id text REFERENCES auth_group (id) ON DELETE SET NULL,
    created_at      bigint NOT NULL,
    updated_at      bigint NOT NULL,
    CHECK (parent_group_id IS NULL OR parent_group_id <> id)
);
CREATE INDEX auth_group_parent ON auth_group (parent_group_id) WHERE parent_group_id IS NOT NULL;

CREATE TABLE auth_group_member (
    group_id   text NOT NULL REFERENCES auth_group (id) ON DELETE CASCADE,
    user_id    text NOT NULL REFERENCES auth_user (id) ON DELETE CASCADE,
    created_at bigint NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
-- Authenticate looks a user's groups up by user on every credential check.
CREATE INDEX auth_group_member_user ON auth_group_member (user_id);

-- The admin's default permission tree (`cfg:user.permissions`): one row, absent = built-in defaults.
CREATE TABLE auth_default_permissions (
    id         smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    tree       jsonb NOT NULL,
    updated_at bigint NOT NULL
);
