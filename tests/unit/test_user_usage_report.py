"""The shaping of ``GET /api/v1/users/usage`` (services/inference/analytics/user_usage.py): the
period, heatmaps (daily, weekly from Monday, cumulative), streaks, totals and insights."""

from datetime import UTC, date, datetime

import pytest

from services.common.errors import InvalidArgument
from services.inference.analytics.user_usage import (
    DAY_S,
    DayRow,
    Period,
    period_for,
    streaks,
    user_usage_report,
)


def _at(day: str, hour: int = 12) -> int:
    return int(datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC).timestamp())


def test_default_period_is_the_days_ending_now_today_included() -> None:
    now = _at("2026-12-03")
    period = period_for(730, None, None, now)
    assert period == Period(now - 729 * DAY_S, now, 730)
    assert (period.last_day - period.first_day).days + 1 == 730


def test_given_dates_count_the_utc_days_they_span() -> None:
    period = period_for(730, _at("2026-12-01", 23), _at("2026-12-03", 1), _at("2026-12-10"))
    assert period.days == 3


def test_start_after_end_is_refused() -> None:
    with pytest.raises(InvalidArgument, match="start_date must be before end_date"):
        period_for(30, _at("2026-12-03"), _at("2026-12-01"), _at("2026-12-10"))


def test_a_longer_period_keeps_its_last_732_days() -> None:
    period = period_for(30, 0, _at("2026-12-03"), _at("2026-12-10"))
    assert period.days == 732


def test_streaks() -> None:
    days = {date(2026, 12, d) for d in (1, 2, 3, 5, 6)}
    assert streaks(days, date(2026, 12, 6)) == (2, 3)
    # No activity yet today: the run that ended yesterday is still current.
    assert streaks(days, date(2026, 12, 7)) == (2, 3)
    assert streaks(days, date(2026, 12, 8)) == (0, 3)
    assert streaks(set(), date(2026, 12, 8)) == (0, 0)


def _row(
    day: str, chat: str, role: str, n: int = 1, model: str | None = None, tin: int = 0, tout: int = 0
) -> DayRow:
    return DayRow(day, chat, model, role, n, tin, tout)


def test_report_shape_and_numbers() -> None:
    # Tue 2026-12-01 .. Thu 2026-12-03, plus the Monday before: 7 days ending Thursday.
    period = period_for(7, None, None, _at("2026-12-03"))
    rows = [
        _row("2026-12-01", "c1", "user", 2),
        _row("2026-12-01", "c1", "assistant", 2, "llama", 10, 20),
        _row("2026-12-01", "c2", "user", 1),
        _row("2026-12-01", "c2", "assistant", 1, "gpt", 5, 5),
        _row("2026-12-03", "c1", "user", 1),
        _row("2026-12-03", "c1", "assistant", 1, "llama", 3, 4),
    ]
    report = user_usage_report(
        period,
        rows,
        lifetime_tokens=100,
        models_used=3,
        total_chats=2,
        longest_chat_seconds=90,
        tools=[("get_weather", 2)],
    )
    assert list(report) == [
        "totals",
        "heatmap",
        "weekly_heatmap",
        "cumulative_heatmap",
        "insights",
        "top_models",
        "top_tools",
        "period",
    ]
    totals = report["totals"]
    assert totals == {
        "lifetime_tokens": 100,
        "input_tokens": 18,
        "output_tokens": 29,
        "peak_daily_tokens": 40,
        "longest_chat_seconds": 90,
        "current_streak": 1,
        "longest_streak": 1,
        "total_chats": 2,
        "active_days": 2,
        "models_used": 3,
        "messages": 8,
        "user_messages": 4,
        "assistant_messages": 4,
    }
    heatmap = report["heatmap"]
    assert [d["date"] for d in heatmap] == [f"2026-11-{d}" for d in (27, 28, 29, 30)] + [
        "2026-12-01",
        "2026-12-02",
        "2026-12-03",
    ]
    assert heatmap[4] == {
        "date": "2026-12-01",
        "messages": 6,
        "chats": 2,
        "tokens": 40,
        "models": {"llama": 2, "gpt": 1},
    }
    assert heatmap[5] == {"date": "2026-12-02", "messages": 0, "chats": 0, "tokens": 0, "models": {}}
    # Weeks start on Monday: Fri 27 Nov's week (Mon 23) and Mon 30 Nov's.
    weekly = report["weekly_heatmap"]
    assert [w["date"] for w in weekly] == ["2026-11-23", "2026-11-30"]
    assert weekly[1] == {
        "date": "2026-11-30",
        "messages": 8,
        "chats": 2,
        "tokens": 47,
        "models": {"llama": 3, "gpt": 1},
    }
    cumulative = report["cumulative_heatmap"]
    assert [c["messages"] for c in cumulative] == [0, 0, 0, 0, 6, 6, 8]
    assert cumulative[-1]["tokens"] == 47 and cumulative[-1]["chats"] == 2
    assert report["insights"] == {
        "most_used_model": "llama",
        "average_tokens_per_chat": 23.5,
        "average_messages_per_active_day": 4.0,
        "user_message_share": 50.0,
        "assistant_message_share": 50.0,
    }
    assert report["top_models"] == [
        {"model_id": "llama", "messages": 3, "input_tokens": 13, "output_tokens": 24, "total_tokens": 37},
        {"model_id": "gpt", "messages": 1, "input_tokens": 5, "output_tokens": 5, "total_tokens": 10},
    ]
    assert report["top_tools"] == [{"name": "get_weather", "count": 2}]
    assert report["period"] == {"start_date": period.start, "end_date": period.end, "days": 7}


def test_empty_report() -> None:
    period = period_for(7, None, None, _at("2026-12-03"))
    report = user_usage_report(
        period, [], lifetime_tokens=0, models_used=0, total_chats=0, longest_chat_seconds=0, tools=[]
    )
    assert len(report["heatmap"]) == 7
    assert report["insights"]["most_used_model"] is None
    assert report["insights"]["average_tokens_per_chat"] == 0.0
    assert report["totals"]["current_streak"] == 0
