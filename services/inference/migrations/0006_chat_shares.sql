-- Shared chats (Open WebUI's `shared_chat` table and its `shared_chat` access grants).
--
-- A share is a snapshot of the chat as it was when last shared, under a token (a uuid4) that the
-- chat row keeps in `share_id`; sharing again re-snapshots under the same token. A chat has at
-- most one share. Grants say who besides the owner may read (or continue) it; a share without
-- grants is private. Both go with their chat (ON DELETE CASCADE).
CREATE TABLE inference_chat_share (
    id          text PRIMARY KEY,
    chat_id     text NOT NULL UNIQUE REFERENCES inference_chat (id) ON DELETE CASCADE,
    -- Who shared it (the chat's owner).
    user_id     text NOT NULL,
    title       text NOT NULL,
    -- The whole chat blob, `history.messages` included, as the client's key order had it.
    chat        json NOT NULL,
    created_at  bigint NOT NULL,
    updated_at  bigint NOT NULL
);
CREATE INDEX inference_chat_share_user ON inference_chat_share (user_id, updated_at DESC);

CREATE TABLE inference_chat_access_grant (
    id              text PRIMARY KEY,
    chat_id         text NOT NULL REFERENCES inference_chat (id) ON DELETE CASCADE,
    principal_type  text NOT NULL,
    -- A user or group id, or `*` (every signed-in user; with `anyone`, every caller).
    principal_id    text NOT NULL,
    permission      text NOT NULL,
    -- The order the owner listed them in.
    position        integer NOT NULL,
    created_at      bigint NOT NULL,
    UNIQUE (chat_id, principal_type, principal_id, permission)
);

-- `continue`: readers with a write grant get the live chat (and may continue it) instead of the
-- snapshot; NULL: everyone gets the snapshot.
ALTER TABLE inference_chat ADD COLUMN share_mode text;
