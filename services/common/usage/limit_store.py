"""PostgreSQL side of limits: admins' stored limits and the shared counters replicas lease from."""

import time
from dataclasses import dataclass

import asyncpg

# Grants what a replica asks for out of what remains of a window, in one statement under the row's
# lock: nothing when less than `need` remains, else at least `need` and up to 1/divisor of the rest.
# `used` never passes the limit through leases, so replicas can never admit more than the limit.
_LEASE = """
INSERT INTO usage_counter AS c (subject_type, subject_id, counter, window_start, used, last_grant)
SELECT $1, $2, $3, $4, g, g
FROM (SELECT CASE WHEN $6::bigint >= $5::bigint
                  THEN LEAST($6::bigint, GREATEST($5::bigint, $6::bigint / $7::bigint))
                  ELSE 0 END AS g) AS first
ON CONFLICT (subject_type, subject_id, counter, window_start) DO UPDATE
SET last_grant = CASE WHEN $6 - c.used >= $5
                      THEN LEAST($6 - c.used, GREATEST($5, ($6 - c.used) / $7)) ELSE 0 END,
    used = c.used
         + CASE WHEN $6 - c.used >= $5 THEN LEAST($6 - c.used, GREATEST($5, ($6 - c.used) / $7)) ELSE 0 END
RETURNING used, last_grant
"""

# Charges what a reply used beyond its admission estimate: past the limit if it must (the work is
# done), so the next admission sees it.
_CHARGE = """
INSERT INTO usage_counter AS c (subject_type, subject_id, counter, window_start, used, last_grant)
VALUES ($1, $2, $3, $4, $5, 0)
ON CONFLICT (subject_type, subject_id, counter, window_start) DO UPDATE SET used = c.used + $5
RETURNING used
"""

_UPSERT_LIMIT = """
INSERT INTO usage_limit (subject_type, subject_id, rpm, tpm, tpd, budget_day, budget_month, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (subject_type, subject_id) DO UPDATE
SET rpm = $3, tpm = $4, tpd = $5, budget_day = $6, budget_month = $7, updated_at = $8
RETURNING *
"""


@dataclass(frozen=True, slots=True)
class StoredLimits:
    """An admin's row: None = the environment's default for the subject type, 0 = no limit."""

    subject_type: str
    subject_id: str
    rpm: int | None = None
    tpm: int | None = None
    tpd: int | None = None
    budget_day: int | None = None
    budget_month: int | None = None
    updated_at: int = 0


def _stored(row: asyncpg.Record) -> StoredLimits:
    return StoredLimits(
        row["subject_type"],
        row["subject_id"],
        row["rpm"],
        row["tpm"],
        row["tpd"],
        row["budget_day"],
        row["budget_month"],
        row["updated_at"],
    )


class LimitStore:
    def __init__(self, pool: asyncpg.Pool, timeout_s: float) -> None:
        self._pool = pool
        self._timeout_s = timeout_s

    async def all_limits(self) -> list[StoredLimits]:
        rows = await self._pool.fetch(
            "SELECT * FROM usage_limit ORDER BY subject_type, subject_id", timeout=self._timeout_s
        )
        return [_stored(row) for row in rows]

    async def put_limits(self, limits: StoredLimits) -> StoredLimits:
        row = await self._pool.fetchrow(
            _UPSERT_LIMIT,
            limits.subject_type,
            limits.subject_id,
            limits.rpm,
            limits.tpm,
            limits.tpd,
            limits.budget_day,
            limits.budget_month,
            int(time.time() * 1000),
            timeout=self._timeout_s,
        )
        return _stored(row)

    async def delete_limits(self, subject_type: str, subject_id: str) -> bool:
        result = await self._pool.execute(
            "DELETE FROM usage_limit WHERE subject_type = $1 AND subject_id = $2",
            subject_type,
            subject_id,
            timeout=self._timeout_s,
        )
        return result != "DELETE 0"

    async def lease(
        self, subject: tuple[str, str], counter: str, start: int, need: int, limit: int, divisor: int
    ) -> tuple[int, int]:
        """(used after the grant, granted): granted is 0 when less than ``need`` remains."""
        row = await self._pool.fetchrow(
            _LEASE, subject[0], subject[1], counter, start, need, limit, divisor, timeout=self._timeout_s
        )
        return row["used"], row["last_grant"]

    async def charge(self, subject: tuple[str, str], counter: str, start: int, amount: int) -> int:
        return await self._pool.fetchval(
            _CHARGE, subject[0], subject[1], counter, start, amount, timeout=self._timeout_s
        )

    async def prune(self, now_s: int, month_start: int) -> None:
        """Drops counters of windows long over (any replica may; the rows are tiny)."""
        await self._pool.execute(
            "DELETE FROM usage_counter WHERE window_start < $3"
            " OR (counter LIKE '%:minute' AND window_start < $1)"
            " OR (counter LIKE '%:day' AND window_start < $2)",
            now_s - 120,
            now_s - 2 * 86400,
            month_start,
            timeout=self._timeout_s,
        )
