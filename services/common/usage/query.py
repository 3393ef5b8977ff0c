"""Usage totals over usage_record and usage_daily together, so that a roll-up never changes an
answer: filters narrow to whole UTC days, rows are grouped by any of day, user, key, model, kind,
group."""

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from services.common.errors import InvalidArgument

if TYPE_CHECKING:
    # A type only: the gateway imports this module and has no other use for asyncpg.
    import asyncpg

GROUP_BY = ("day", "user", "key", "model", "kind", "group")
_COLUMNS = {
    "day": "day",
    "user": "user_id",
    "key": "key_id",
    "model": "model",
    "kind": "kind",
    "group": "grp",
}
TOTALS = (
    "requests",
    "errors",
    "input_tokens",
    "output_tokens",
    "context_tokens",
    "chunks",
    "estimated_requests",
    "latency_ms_sum",
)
_DAY_MS = 86_400_000

# Records and daily sums in one shape; a record is one request.
_UNION = """
SELECT (to_timestamp(at / 1000.0) AT TIME ZONE 'UTC')::date AS day, user_id, key_id, group_ids, model,
    kind, 1::bigint AS requests, (status <> 'ok')::int::bigint AS errors, input_tokens, output_tokens,
    context_tokens, chunks::bigint AS chunks, estimated::int::bigint AS estimated_requests,
    latency_ms::bigint AS latency_ms_sum
FROM usage_record WHERE {record_where}
UNION ALL
SELECT day, user_id, key_id, group_ids, model, kind, requests, errors, input_tokens, output_tokens,
    context_tokens, chunks, estimated_requests, latency_ms_sum
FROM usage_daily WHERE {daily_where}
"""


@dataclass(frozen=True)
class UsageFilter:
    user_id: str = ""
    key_id: str = ""
    group_id: str = ""
    model: str = ""
    kind: str = ""
    # Inclusive UTC days; None: unbounded.
    start_day: datetime.date | None = None
    end_day: datetime.date | None = None
    group_by: tuple[str, ...] = field(default=())


def parse_day(value: str, name: str) -> datetime.date | None:
    """``YYYY-MM-DD``, or epoch seconds (its UTC day); '' is no bound."""
    if not value:
        return None
    try:
        if value.isdigit():
            return datetime.datetime.fromtimestamp(int(value), datetime.UTC).date()
        return datetime.date.fromisoformat(value)
    except (ValueError, OverflowError, OSError):
        raise InvalidArgument(f"{name} must be a day (YYYY-MM-DD) or epoch seconds") from None


def check_group_by(names: list[str]) -> tuple[str, ...]:
    unknown = [n for n in names if n not in GROUP_BY]
    if unknown:
        raise InvalidArgument(f"group_by must be among {', '.join(GROUP_BY)}")
    return tuple(dict.fromkeys(names))


def _where(flt: UsageFilter, for_records: bool, args: list) -> str:
    clauses = ["true"]

    def arg(value: object) -> str:
        args.append(value)
        return f"${len(args)}"

    for column, value in (
        ("user_id", flt.user_id),
        ("key_id", flt.key_id),
        ("model", flt.model),
        ("kind", flt.kind),
    ):
        if value:
            clauses.append(f"{column} = {arg(value)}")
    if flt.group_id:
        clauses.append(f"group_ids @> ARRAY[{arg(flt.group_id)}::text]")
    epoch = datetime.date(1970, 1, 1)
    if flt.start_day is not None:
        if for_records:
            clauses.append(f"at >= {arg((flt.start_day - epoch).days * _DAY_MS)}")
        else:
            clauses.append(f"day >= {arg(flt.start_day)}")
    if flt.end_day is not None:
        if for_records:
            clauses.append(f"at < {arg(((flt.end_day - epoch).days + 1) * _DAY_MS)}")
        else:
            clauses.append(f"day <= {arg(flt.end_day)}")
    return " AND ".join(clauses)


def build_query(flt: UsageFilter) -> tuple[str, list]:
    args: list = []
    union = _UNION.format(record_where=_where(flt, True, args), daily_where=_where(flt, False, args))
    source = f"({union}) u"
    if "group" in flt.group_by:
        # A row counts once for each of its groups; a user in no group under ''.
        source += (
            " CROSS JOIN LATERAL unnest(CASE WHEN cardinality(u.group_ids) = 0 THEN ARRAY['']::text[]"
            " ELSE u.group_ids END) AS g(grp)"
        )
        if flt.group_id:
            source += f" WHERE g.grp = ${args.index(flt.group_id) + 1}"
    keys = [_COLUMNS[name] for name in flt.group_by]
    sums = ", ".join(f"sum({t})::bigint AS {t}" for t in TOTALS)
    select = ", ".join([*(f"{k}" for k in keys), sums])
    sql = f"SELECT {select} FROM {source}"
    if keys:
        order = ", ".join(str(i + 1) for i in range(len(keys)))
        sql += f" GROUP BY {order} ORDER BY {order}"
    return sql, args


async def query_usage(pool: "asyncpg.Pool", flt: UsageFilter, timeout_s: float = 30.0) -> list[dict]:
    """One dict per group: its keys (named as in ``group_by``, the day as YYYY-MM-DD) and totals."""
    sql, args = build_query(flt)
    async with pool.acquire(timeout=timeout_s) as conn:
        rows = await conn.fetch(sql, *args, timeout=timeout_s)
    result = []
    for row in rows:
        if not flt.group_by and row["requests"] is None:
            row_totals = dict.fromkeys(TOTALS, 0)
        else:
            row_totals = {t: int(row[t] or 0) for t in TOTALS}
        keys = {}
        for name in flt.group_by:
            value = row[_COLUMNS[name]]
            keys[name] = value.isoformat() if isinstance(value, datetime.date) else str(value)
        result.append({**keys, **row_totals})
    return result
