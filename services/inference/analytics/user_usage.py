"""Open WebUI's ``GET /api/v1/users/usage`` report, shaped from per-day aggregates.

Open WebUI buckets days in the user's timezone; we store none, so days are UTC days. Weeks start
on Monday (as Open WebUI's ``weekly_heatmap`` dates do)."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from services.common.errors import InvalidArgument

DAY_S = 86400
DEFAULT_DAYS = 730
MAX_PERIOD_DAYS = 732
TOP = 10


@dataclass(frozen=True)
class Period:
    """[start, end] in epoch seconds; ``days``: the UTC days it spans."""

    start: int
    end: int
    days: int

    @property
    def first_day(self) -> date:
        return _day(self.start)

    @property
    def last_day(self) -> date:
        return _day(self.end)


def _day(at: int) -> date:
    return datetime.fromtimestamp(at, UTC).date()


def period_for(days: int, start: int | None, end: int | None, now: int) -> Period:
    """The window: ``start``/``end`` when given (``days`` then counts the UTC days they span), else
    the ``days`` days ending now, today included."""
    end = now if end is None else end
    if start is None:
        return Period(end - (days - 1) * DAY_S, end, days)
    if start > end:
        raise InvalidArgument("start_date must be before end_date")
    # One heatmap entry per day: a period is cut to its last MAX_PERIOD_DAYS days.
    start = max(start, end - (MAX_PERIOD_DAYS - 1) * DAY_S)
    return Period(start, end, (_day(end) - _day(start)).days + 1)


@dataclass(frozen=True)
class DayRow:
    """Messages of one role, model and chat on one day (a ``user_days`` row)."""

    day: str
    chat_id: str
    model_id: str | None
    role: str
    messages: int
    input_tokens: int
    output_tokens: int


@dataclass
class _Bucket:
    messages: int = 0
    tokens: int = 0
    chats: set = field(default_factory=set)
    models: Counter = field(default_factory=Counter)

    def add(self, row: DayRow) -> None:
        self.messages += row.messages
        self.chats.add(row.chat_id)
        if row.role == "assistant":
            self.tokens += row.input_tokens + row.output_tokens
            if row.model_id:
                self.models[row.model_id] += row.messages

    def json(self, when: str) -> dict:
        return {
            "date": when,
            "messages": self.messages,
            "chats": len(self.chats),
            "tokens": self.tokens,
            "models": dict(self.models.most_common()),
        }


def _days(period: Period) -> list[date]:
    first, last = period.first_day, period.last_day
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def streaks(active: set[date], today: date) -> tuple[int, int]:
    """(current, longest) runs of consecutive active days; the current run ends today, or
    yesterday while today has no activity yet."""
    longest = 0
    for day in active:
        if day - timedelta(days=1) in active:
            continue
        run = 1
        while day + timedelta(days=run) in active:
            run += 1
        longest = max(longest, run)
    anchor = today if today in active else today - timedelta(days=1)
    current = 0
    while anchor - timedelta(days=current) in active:
        current += 1
    return current, longest


def _share(part: int, whole: int) -> float:
    return round(part * 100 / whole, 1) if whole else 0.0


def user_usage_report(
    period: Period,
    rows: list[DayRow],
    *,
    lifetime_tokens: int,
    models_used: int,
    total_chats: int,
    longest_chat_seconds: int,
    tools: list[tuple[str, int]],
) -> dict:
    days = _days(period)
    daily: dict[str, _Bucket] = defaultdict(_Bucket)
    by_model: dict[str, Counter] = defaultdict(Counter)
    roles: Counter = Counter()
    for row in rows:
        daily[row.day].add(row)
        roles[row.role] += row.messages
        if row.role == "assistant" and row.model_id:
            stats = by_model[row.model_id]
            stats["messages"] += row.messages
            stats["input_tokens"] += row.input_tokens
            stats["output_tokens"] += row.output_tokens

    heatmap = [daily.get(d.isoformat(), _Bucket()).json(d.isoformat()) for d in days]

    weekly: dict[date, _Bucket] = {}
    cumulative: list[dict] = []
    running = _Bucket()
    for d in days:
        bucket = daily.get(d.isoformat())
        week = weekly.setdefault(d - timedelta(days=d.weekday()), _Bucket())
        if bucket is not None:
            for target in (week, running):
                target.messages += bucket.messages
                target.tokens += bucket.tokens
                target.chats |= bucket.chats
                target.models.update(bucket.models)
        cumulative.append(running.json(d.isoformat()))
    weekly_heatmap = [bucket.json(week.isoformat()) for week, bucket in weekly.items()]

    active = {date.fromisoformat(day) for day, bucket in daily.items() if bucket.messages}
    current, longest = streaks(active, period.last_day)
    messages = roles["user"] + roles["assistant"]
    input_tokens = sum(s["input_tokens"] for s in by_model.values())
    output_tokens = sum(s["output_tokens"] for s in by_model.values())
    period_tokens = sum(bucket.tokens for bucket in daily.values())
    top_models = sorted(by_model.items(), key=lambda item: (-item[1]["messages"], item[0]))[:TOP]
    return {
        "totals": {
            "lifetime_tokens": lifetime_tokens,
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "peak_daily_tokens": max((bucket.tokens for bucket in daily.values()), default=0),
            "longest_chat_seconds": longest_chat_seconds,
            "current_streak": current,
            "longest_streak": longest,
            "total_chats": total_chats,
            "active_days": len(active),
            "models_used": models_used,
            "messages": messages,
            "user_messages": roles["user"],
            "assistant_messages": roles["assistant"],
        },
        "heatmap": heatmap,
        "weekly_heatmap": weekly_heatmap,
        "cumulative_heatmap": cumulative,
        "insights": {
            "most_used_model": top_models[0][0] if top_models else None,
            "average_tokens_per_chat": round(period_tokens / total_chats, 1) if total_chats else 0.0,
            "average_messages_per_active_day": round(messages / len(active), 1) if active else 0.0,
            "user_message_share": _share(roles["user"], messages),
            "assistant_message_share": _share(roles["assistant"], messages),
        },
        "top_models": [
            {
                "model_id": model_id,
                "messages": stats["messages"],
                "input_tokens": stats["input_tokens"],
                "output_tokens": stats["output_tokens"],
                "total_tokens": stats["input_tokens"] + stats["output_tokens"],
            }
            for model_id, stats in top_models
        ],
        "top_tools": [{"name": name, "count": count} for name, count in tools],
        "period": {"start_date": period.start, "end_date": period.end, "days": period.days},
    }
