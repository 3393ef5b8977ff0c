-- Folder sharing (Open WebUI's `folder` access grants): who besides the owner may read a folder
-- (with its subfolders and their chats), or write it. A folder without grants is private. Grants go
-- with their folder (ON DELETE CASCADE): deleting a folder revokes them.
CREATE TABLE inference_folder_access_grant (
    id              text PRIMARY KEY,
    folder_id       text NOT NULL REFERENCES inference_folder (id) ON DELETE CASCADE,
    principal_type  text NOT NULL,
    -- A user or group id (`*` is never granted on a folder).
    principal_id    text NOT NULL,
    permission      text NOT NULL,
    -- The order the sharer listed them in.
    position        integer NOT NULL,
    created_at      bigint NOT NULL,
    UNIQUE (folder_id, principal_type, principal_id, permission)
);
-- `GET /api/v1/folders/shared`: the folders granted to a user.
CREATE INDEX inference_folder_access_grant_principal
    ON inference_folder_access_grant (principal_type, principal_id);
-- `GET /api/v1/folders/{id}/shared/chats`: every chat in a folder, whoever owns it.
CREATE INDEX inference_chat_in_folder ON inference_chat (folder_id) WHERE folder_id IS NOT NULL;
