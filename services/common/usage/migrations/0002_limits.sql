-- Limits and quotas (issue 18): what admins set per subject, and the counters every replica shares.

-- One subject's limits. NULL: the environment's default for the subject type; 0: no limit.
CREATE TABLE usage_limit (
    subject_type text   NOT NULL CHECK (subject_type IN ('key', 'user', 'group')),
    subject_id   text   NOT NULL,
    rpm          bigint CHECK (rpm >= 0),
    tpm          bigint CHECK (tpm >= 0),
    tpd          bigint CHECK (tpd >= 0),
    budget_day   bigint CHECK (budget_day >= 0),
    budget_month bigint CHECK (budget_month >= 0),
    updated_at   bigint NOT NULL,
    PRIMARY KEY (subject_type, subject_id)
);

-- Shared counters: what replicas have taken (leased) of a subject's allowance in one window.
-- `last_grant` is what the latest statement granted, returned to the replica that asked (the old
-- value of `used` is not visible in RETURNING).
CREATE TABLE usage_counter (
    subject_type text   NOT NULL,
    subject_id   text   NOT NULL,
    counter      text   NOT NULL,
    window_start bigint NOT NULL,
    used         bigint NOT NULL,
    last_grant   bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (subject_type, subject_id, counter, window_start)
);
-- Old windows are deleted by start (limiter prune).
CREATE INDEX usage_counter_window ON usage_counter (window_start);
