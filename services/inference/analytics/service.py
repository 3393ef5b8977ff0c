"""The analytics rules: who may see which report, the windows, and the reports' shapes (Open
WebUI's ``routers/analytics.py`` and ``GET /api/v1/users/usage``), over ``AnalyticsRepository``."""

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import orjson

from services.common.errors import InvalidArgument, PermissionDenied
from services.common.identity import Identity
from services.inference.analytics.filters import Window
from services.inference.analytics.repository import AnalyticsRepository
from services.inference.analytics.user_usage import DayRow, period_for, user_usage_report

MIN_DAYS, MAX_DAYS = 7, 732
PAGE_MAX = 100
PREVIEW_CHARS = 200
TOP_TAGS = 10
TOP_TOOLS = 10


# Open WebUI's granularities, as bucket lengths (each divides a day, so buckets start at UTC
# midnight and every bucket_s after it).
GRANULARITY_S = {"10m": 600, "hourly": 3600, "3h": 10800, "6h": 21600, "daily": 86400}
# Empty buckets of a bounded period are listed too: a period is refused past this many.
MAX_BUCKETS = 20_000
COMPARE_UNBOUNDED = "Comparison requires a bounded date range"


def _bucket_name(epoch: int, bucket_s: int) -> str:
    moment = datetime.fromtimestamp(epoch - epoch % bucket_s, UTC)
    return moment.strftime("%Y-%m-%d" if bucket_s == 86400 else "%Y-%m-%d %H:%M")


def _bucket_epoch(name: str) -> int:
    parsed = datetime.strptime(name, "%Y-%m-%d" if len(name) == 10 else "%Y-%m-%d %H:%M")
    return int(parsed.replace(tzinfo=UTC).timestamp())


def _iso(epoch: int) -> str:
    """A UTC time as Open WebUI writes its (server-local) ones: ISO 8601 without an offset."""
    return datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None).isoformat()


def _buckets(rows: list, window: Window, bucket_s: int, offset_s: int) -> dict[str, dict[str, int]]:
    """{bucket: {model: value}}; a bounded period lists its empty buckets too."""
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["date"], {})[row["model_id"]] = int(row["value"])
    if window.start is not None and window.end is not None:
        at = window.start + offset_s
        at -= at % bucket_s
        while at <= window.end + offset_s:
            counts.setdefault(_bucket_name(at, bucket_s), {})
            at += bucket_s
    return counts


def _require_admin(identity: Identity) -> None:
    if not identity.is_admin:
        raise PermissionDenied("ACCESS_PROHIBITED")


def _plain(*ids: str) -> None:
    """PostgreSQL text cannot hold NUL: no stored id has one, and the query would fail on it."""
    if any("\x00" in value for value in ids):
        raise InvalidArgument("ids must not contain NUL characters")


def _message_json(row) -> dict:
    """Open WebUI's ChatMessageModel of a stored message row."""
    message = orjson.loads(row["message"])
    message = message if isinstance(message, dict) else {}
    return {
        "id": row["id"],
        "chat_id": row["chat_id"],
        "user_id": row["user_id"],
        "role": row["role"],
        "parent_id": row["parent_id"],
        "content": message.get("content"),
        "output": message.get("output"),
        "model_id": row["model_id"],
        "files": message.get("files"),
        "sources": message.get("sources"),
        "embeds": message.get("embeds"),
        "done": message.get("done", True),
        "status_history": message.get("statusHistory"),
        "error": message.get("error"),
        "usage": message.get("usage"),
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def _day_dates(first: datetime, last: datetime) -> list[str]:
    return [(first + timedelta(days=n)).strftime("%Y-%m-%d") for n in range((last - first).days + 1)]


class AnalyticsService:
    def __init__(self, store: AnalyticsRepository, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._clock = clock

    async def user_usage(self, identity: Identity, days: int, start: int | None, end: int | None) -> dict:
        if not MIN_DAYS <= days <= MAX_DAYS:
            raise InvalidArgument(f"days must be between {MIN_DAYS} and {MAX_DAYS}")
        period = period_for(days, start, end, int(self._clock()))
        user_id = identity.user_id
        rows = await self._store.user_days(user_id, period.start, period.end)
        lifetime = await self._store.user_lifetime(user_id)
        tools = await self._store.user_tools(user_id, period.start, period.end, TOP_TOOLS)
        return user_usage_report(
            period,
            [
                DayRow(
                    r["day"],
                    r["chat_id"],
                    r["model_id"],
                    r["role"],
                    r["messages"],
                    r["input_tokens"],
                    r["output_tokens"],
                )
                for r in rows
            ],
            lifetime_tokens=int(lifetime["tokens"]),
            models_used=int(lifetime["models"]),
            total_chats=await self._store.user_chat_count(user_id, period.start, period.end),
            longest_chat_seconds=await self._store.user_longest_chat_seconds(
                user_id, period.start, period.end
            ),
            tools=[(r["name"], r["count"]) for r in tools],
        )

    async def summary(self, identity: Identity, window: Window) -> dict:
        _require_admin(identity)
        row = await self._store.summary(window)
        return {
            "total_messages": row["messages"],
            "total_chats": row["chats"],
            "total_models": row["models"],
            "total_users": row["users"],
        }

    async def tokens(self, identity: Identity, window: Window) -> dict:
        _require_admin(identity)
        models = [
            {
                "model_id": r["model_id"],
                "input_tokens": r["input_tokens"],
                "output_tokens": r["output_tokens"],
                "total_tokens": r["input_tokens"] + r["output_tokens"],
                "message_count": r["count"],
            }
            for r in await self._store.by_model(window)
        ]
        models.sort(key=lambda m: -m["total_tokens"])
        total_input = sum(m["input_tokens"] for m in models)
        total_output = sum(m["output_tokens"] for m in models)
        return {
            "models": models,
            "total_input_tokens": total_input,
            "total_output_tokens": total_output,
            "total_tokens": total_input + total_output,
        }

    async def models(self, identity: Identity, window: Window) -> dict:
        _require_admin(identity)
        rows = await self._store.by_model(window)
        return {
            "models": [
                {
                    "model_id": r["model_id"],
                    "count": r["count"],
                    "unique_users": r["unique_users"],
                    "unique_chats": r["unique_chats"],
                }
                for r in rows
            ]
        }

    async def users(self, identity: Identity, window: Window, limit: int, metric: str) -> dict:
        _require_admin(identity)
        if limit < 1:
            raise InvalidArgument("limit must be at least 1")
        rows = await self._store.by_user(window, "tokens" if metric == "tokens" else "messages", limit)
        return {
            "users": [
                {
                    "user_id": r["user_id"],
                    "count": r["count"],
                    "input_tokens": r["input_tokens"],
                    "output_tokens": r["output_tokens"],
                    "total_tokens": r["total_tokens"],
                }
                for r in rows
            ]
        }

    async def daily(
        self,
        identity: Identity,
        window: Window,
        granularity: str,
        metric: str = "messages",
        compare: bool = False,
    ) -> dict:
        """Per time bucket, each model's assistant messages (``metric`` messages) or tokens; with
        ``compare``, each bucket also carries the same bucket of the equally long period before."""
        _require_admin(identity)
        bucket_s = GRANULARITY_S.get(granularity)
        if bucket_s is None:
            raise InvalidArgument(f"granularity must be one of {', '.join(GRANULARITY_S)}")
        if metric not in ("messages", "tokens"):
            raise InvalidArgument("metric must be 'messages' or 'tokens'")
        start, end = window.start, window.end
        if compare and (start is None or end is None or start > end):
            raise InvalidArgument(COMPARE_UNBOUNDED)
        if start is not None and end is not None and (end - start) // bucket_s > MAX_BUCKETS:
            raise InvalidArgument(f"the period holds more than {MAX_BUCKETS} buckets of {granularity}")
        tokens = metric == "tokens"
        counts = _buckets(await self._store.timeseries(window, bucket_s, tokens), window, bucket_s, 0)
        entries = [
            {"date": date, "models": models, "start": None, "end": None, "previous": None}
            for date, models in sorted(counts.items())
        ]
        if compare:
            assert start is not None and end is not None
            duration = end - start + 1
            before = Window(start - duration, start - 1, window.user_ids)
            previous = _buckets(
                await self._store.timeseries(before, bucket_s, tokens, duration), before, bucket_s, duration
            )
            for entry in entries:
                bucket = _bucket_epoch(entry["date"])
                first, last = max(start, bucket), min(end + 1, bucket + bucket_s)
                entry["start"], entry["end"] = _iso(first), _iso(last)
                entry["previous"] = {
                    "models": previous.get(entry["date"], {}),
                    "start": _iso(first - duration),
                    "end": _iso(last - duration),
                }
        return {"data": entries}

    async def messages(
        self,
        identity: Identity,
        window: Window,
        *,
        chat_id: str,
        model_id: str,
        user_id: str,
        skip: int,
        limit: int,
    ) -> list:
        _require_admin(identity)
        if not (chat_id or model_id or user_id):
            return []
        _plain(chat_id, model_id, user_id)
        if skip < 0 or not 1 <= limit <= PAGE_MAX:
            raise InvalidArgument(f"skip must be at least 0 and limit between 1 and {PAGE_MAX}")
        rows = await self._store.messages(
            window, chat_id=chat_id, model_id=model_id, user_id=user_id, skip=skip, limit=limit
        )
        return [_message_json(r) for r in rows]

    async def model_chats(
        self, identity: Identity, window: Window, model_id: str, skip: int, limit: int
    ) -> dict:
        """Each chat's ``user_id``; the gateway adds ``user_name``."""
        _require_admin(identity)
        _plain(model_id)
        if skip < 0 or not 1 <= limit <= PAGE_MAX:
            raise InvalidArgument(f"skip must be at least 0 and limit between 1 and {PAGE_MAX}")
        rows = await self._store.model_chats(window, model_id, skip, limit)
        chats = [
            {
                "chat_id": r["chat_id"],
                "user_id": r["user_id"],
                "user_name": None,
                "first_message": r["first_message"][:PREVIEW_CHARS] if r["first_message"] else None,
                "updated_at": r["updated_at"],
            }
            for r in rows
        ]
        return {"chats": chats, "total": len(chats)}

    async def model_overview(self, identity: Identity, model_id: str, days: int) -> dict:
        _require_admin(identity)
        _plain(model_id)
        if days < 0:
            raise InvalidArgument("days must be at least 0")
        now = datetime.fromtimestamp(self._clock(), UTC)
        since = int((now - timedelta(days=days)).timestamp()) if days else None
        ratings = {r["date"]: r for r in await self._store.model_ratings(model_id, since)}
        # Every day of the window, rated or not (from the first rating when the window is all time).
        if days:
            first = now - timedelta(days=days)
        elif ratings:
            first = datetime.strptime(min(ratings), "%Y-%m-%d").replace(tzinfo=UTC)
        else:
            first = None
        history = []
        if first is not None:
            for day in _day_dates(first.replace(hour=0, minute=0, second=0, microsecond=0), now):
                rated = ratings.get(day)
                history.append(
                    {"date": day, "won": rated["won"] if rated else 0, "lost": rated["lost"] if rated else 0}
                )
        tags = [
            {"tag": r["tag"], "count": r["count"]} for r in await self._store.model_tags(model_id, TOP_TAGS)
        ]
        return {"history": history, "tags": tags}
