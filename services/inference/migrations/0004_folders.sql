-- Chat folders (Open WebUI's `folder` table): a tree per user; chats point at one with `folder_id`.
--
-- Open WebUI refuses a second folder of the same name (compared case-insensitively) under the same
-- parent; the unique index makes that hold under concurrent writers too. A root folder has a NULL
-- parent, which a plain unique index would never compare equal, hence `coalesce`.
CREATE TABLE inference_folder (
    id           text PRIMARY KEY,
    user_id      text NOT NULL,
    parent_id    text,
    name         text NOT NULL,
    items        jsonb,
    meta         jsonb,
    data         jsonb,
    is_expanded  boolean NOT NULL DEFAULT false,
    created_at   bigint NOT NULL,
    updated_at   bigint NOT NULL
);
CREATE UNIQUE INDEX inference_folder_name
    ON inference_folder (user_id, coalesce(parent_id, ''), lower(name));
-- A folder's chats, for folder lists, deletes and `folder:` search.
CREATE INDEX inference_chat_folder ON inference_chat (user_id, folder_id) WHERE folder_id IS NOT NULL;
