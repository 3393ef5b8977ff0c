-- Open WebUI's chat configuration (/api/v1/chats/config: context compaction and tool settings) as an
-- admin last stored it: one row, read by every replica. No row: the defaults.
CREATE TABLE inference_chat_config (
    id          boolean PRIMARY KEY DEFAULT true CHECK (id),
    config      jsonb NOT NULL,
    updated_at  bigint NOT NULL
);
