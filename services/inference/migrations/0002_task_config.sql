-- Open WebUI's task configuration (/api/v1/tasks/config) as an admin last stored it: one row, read
-- by every replica, so that an update applies everywhere at once. No row: the environment's values.
CREATE TABLE inference_task_config (
    id          boolean PRIMARY KEY DEFAULT true CHECK (id),
    config      jsonb NOT NULL,
    updated_at  bigint NOT NULL
);
