-- Completions append to stored chats without reading them whole.
--
-- `size_bytes` is the JSON size of a chat's messages, kept by the database itself (statement
-- triggers over the rows each statement changed), so that appending a turn checks CHAT_MAX_BYTES
-- without summing a 5,000-message chat and no writer can forget to keep it.
ALTER TABLE inference_chat ADD COLUMN size_bytes bigint NOT NULL DEFAULT 0;

UPDATE inference_chat c SET size_bytes = coalesce(
    (SELECT sum(octet_length(m.message::text)) FROM inference_chat_message m WHERE m.chat_id = c.id), 0);

-- The next position of a chat and the rows of its newest messages, without a scan of the chat.
CREATE INDEX inference_chat_message_position ON inference_chat_message (chat_id, position);

CREATE FUNCTION inference_chat_size_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE inference_chat c SET size_bytes = c.size_bytes + d.bytes
    FROM (SELECT chat_id, sum(octet_length(message::text)) AS bytes FROM added GROUP BY chat_id) d
    WHERE c.id = d.chat_id;
    RETURN NULL;
END
$$;

CREATE FUNCTION inference_chat_size_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE inference_chat c SET size_bytes = c.size_bytes - d.bytes
    FROM (SELECT chat_id, sum(octet_length(message::text)) AS bytes FROM removed GROUP BY chat_id) d
    WHERE c.id = d.chat_id;
    RETURN NULL;
END
$$;

CREATE FUNCTION inference_chat_size_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE inference_chat c SET size_bytes = c.size_bytes + d.bytes
    FROM (
        SELECT chat_id, sum(bytes) AS bytes FROM (
            SELECT chat_id, octet_length(message::text) AS bytes FROM added
            UNION ALL
            SELECT chat_id, -octet_length(message::text) FROM removed
        ) both_sides GROUP BY chat_id
    ) d
    WHERE c.id = d.chat_id AND d.bytes <> 0;
    RETURN NULL;
END
$$;

CREATE TRIGGER inference_chat_message_inserted AFTER INSERT ON inference_chat_message
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION inference_chat_size_added();
CREATE TRIGGER inference_chat_message_deleted AFTER DELETE ON inference_chat_message
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION inference_chat_size_removed();
CREATE TRIGGER inference_chat_message_updated AFTER UPDATE ON inference_chat_message
    REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION inference_chat_size_changed();
