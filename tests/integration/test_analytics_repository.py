"""Usage and analytics reports on real PostgreSQL (services/inference/analytics): the generated
model and token columns of migration 0013 (any ``usage`` a client stores is accepted), the
per-user report (active chat time counts gaps of at most 30 minutes), the admin reports and their
filters."""

from datetime import UTC, datetime

import asyncpg
import orjson
import pytest

from services.common import errors
from services.common.identity import ROLE_ADMIN, Identity
from services.inference.analytics.filters import Window
from services.inference.analytics.repository import AnalyticsRepository
from services.inference.analytics.service import AnalyticsService

ALICE = Identity(user_id="alice")
BOB = Identity(user_id="bob")
ADMIN = Identity(user_id="root", role=ROLE_ADMIN)
DAY1 = int(datetime(2026, 12, 1, 9, tzinfo=UTC).timestamp())
DAY2 = int(datetime(2026, 12, 2, 9, tzinfo=UTC).timestamp())
NOW = DAY2 + 3600


async def _chat(
    pool: asyncpg.Pool, chat_id: str, owner: str, messages: list[tuple], tags: list[str] = ()
) -> None:
    """``messages``: (role, created_at, extra fields of the message object)."""
    await pool.execute(
        "INSERT INTO inference_chat (id, user_id, title, chat, meta, created_at, updated_at) "
        "VALUES ($1, $2, 't', '{}'::json, $3::jsonb, $4, $4)",
        chat_id,
        owner,
        orjson.dumps({"tags": list(tags)}).decode(),
        messages[0][1],
    )
    for position, (role, at, extra) in enumerate(messages):
        message = {"id": f"{chat_id}-{position}", "role": role, "content": f"{role} {position}", **extra}
        await pool.execute(
            "INSERT INTO inference_chat_message (chat_id, id, role, user_id, content_text, message, "
            "position, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6::json, $7, $8, $8)",
            chat_id,
            message["id"],
            role,
            owner,
            message["content"],
            orjson.dumps(message).decode(),
            position,
            at,
        )


def _assistant(model: str, usage: object, **extra: object) -> dict:
    return {"model": model, "usage": usage, **extra}


@pytest.fixture
async def service(inference_pool: asyncpg.Pool) -> AnalyticsService:
    pool = inference_pool
    # Alice: chat a (day 1) with gaps of 60 s, 45 min (not counted) and 120 s; chat b (day 2).
    await _chat(
        pool,
        "a",
        "alice",
        [
            ("user", DAY1, {}),
            ("assistant", DAY1 + 60, _assistant("llama", {"prompt_tokens": 10, "completion_tokens": 5})),
            ("user", DAY1 + 60 + 2700, {}),
            (
                "assistant",
                DAY1 + 60 + 2700 + 120,
                _assistant(
                    "llama",
                    {"prompt_eval_count": 7, "eval_count": 3},
                    output=[{"type": "function_call", "name": "get_weather", "arguments": "{}"}],
                    annotation={"rating": 1},
                ),
            ),
        ],
        tags=["weather"],
    )
    await _chat(
        pool,
        "b",
        "alice",
        [
            ("user", DAY2, {}),
            ("assistant", DAY2 + 5, _assistant("gpt", {"input_tokens": 4, "output_tokens": 6})),
        ],
    )
    # Bob: usage a client stored however it liked must neither fail the write nor count.
    await _chat(
        pool,
        "c",
        "bob",
        [
            ("user", DAY2, {}),
            ("assistant", DAY2 + 1, _assistant("llama", {"prompt_tokens": "many", "completion_tokens": 2.5})),
            ("assistant", DAY2 + 2, _assistant("llama", ["not", "an", "object"])),
            ("assistant", DAY2 + 3, {"model": "llama", "usage": {"prompt_tokens": 10**17}}),
        ],
    )
    return AnalyticsService(AnalyticsRepository(pool), clock=lambda: NOW)


async def test_user_usage(service: AnalyticsService) -> None:
    report = await service.user_usage(ALICE, 7, None, None)
    orjson.dumps(report)  # plain JSON types (PostgreSQL's sums are numeric: cast back to bigint)
    totals = report["totals"]
    assert totals["input_tokens"] == 21 and totals["output_tokens"] == 14 and totals["lifetime_tokens"] == 35
    # 60 s + 120 s; the 45-minute gap is a pause, not chat time.
    assert totals["longest_chat_seconds"] == 180
    assert totals["messages"] == 6 and totals["user_messages"] == 3 and totals["assistant_messages"] == 3
    assert totals["active_days"] == 2 and totals["current_streak"] == 2 and totals["longest_streak"] == 2
    assert totals["total_chats"] == 2 and totals["models_used"] == 2
    days = {d["date"]: d for d in report["heatmap"]}
    assert days["2026-12-01"] == {
        "date": "2026-12-01",
        "messages": 4,
        "chats": 1,
        "tokens": 25,
        "models": {"llama": 2},
    }
    assert days["2026-12-02"]["models"] == {"gpt": 1}
    assert report["top_models"][0] == {
        "model_id": "llama",
        "messages": 2,
        "input_tokens": 17,
        "output_tokens": 8,
        "total_tokens": 25,
    }
    assert report["top_tools"] == [{"name": "get_weather", "count": 1}]
    assert report["period"]["days"] == 7


async def test_user_usage_validates(service: AnalyticsService) -> None:
    with pytest.raises(errors.InvalidArgument):
        await service.user_usage(ALICE, 6, None, None)
    with pytest.raises(errors.InvalidArgument, match="start_date must be before end_date"):
        await service.user_usage(ALICE, 7, DAY2, DAY1)


async def test_unusable_usage_counts_zero(service: AnalyticsService) -> None:
    report = await service.user_usage(BOB, 7, None, None)
    assert report["totals"]["assistant_messages"] == 3
    assert report["totals"]["lifetime_tokens"] == 0


async def test_admin_reports(service: AnalyticsService) -> None:
    everyone = Window()
    assert await service.summary(ADMIN, everyone) == {
        "total_messages": 6,
        "total_chats": 3,
        "total_models": 2,
        "total_users": 2,
    }
    tokens = await service.tokens(ADMIN, everyone)
    orjson.dumps(tokens)
    assert tokens["total_tokens"] == 35
    assert tokens["models"][0] == {
        "model_id": "llama",
        "input_tokens": 17,
        "output_tokens": 8,
        "total_tokens": 25,
        "message_count": 5,
    }
    models = await service.models(ADMIN, everyone)
    assert models["models"][0] == {"model_id": "llama", "count": 5, "unique_users": 2, "unique_chats": 2}
    users = await service.users(ADMIN, everyone, 50, "tokens")
    orjson.dumps(users)
    assert [u["user_id"] for u in users["users"]] == ["alice", "bob"]
    by_count = await service.users(ADMIN, everyone, 1, "messages")
    # 3 assistant messages each: ties go by user id.
    assert [u["user_id"] for u in by_count["users"]] == ["alice"]
    daily = await service.daily(ADMIN, everyone, "daily")
    orjson.dumps(daily)
    plain = {"start": None, "end": None, "previous": None}
    assert daily["data"] == [
        {"date": "2026-12-01", "models": {"llama": 2}, **plain},
        {"date": "2026-12-02", "models": {"gpt": 1, "llama": 3}, **plain},
    ]
    tokens = await service.daily(ADMIN, everyone, "daily", "tokens")
    assert [entry["models"] for entry in tokens["data"]] == [{"llama": 25}, {"gpt": 10, "llama": 0}]
    hourly = await service.daily(ADMIN, everyone, "hourly")
    assert hourly["data"][0]["date"] == "2026-12-01 09:00"


async def test_daily_compares_with_the_period_before(service: AnalyticsService) -> None:
    day2 = DAY2 - 9 * 3600
    window = Window(start=day2, end=day2 + 86399)
    [entry] = (await service.daily(ADMIN, window, "daily", "messages", True))["data"]
    assert entry == {
        "date": "2026-12-02",
        "models": {"gpt": 1, "llama": 3},
        "start": "2026-12-02T00:00:00",
        "end": "2026-12-03T00:00:00",
        "previous": {"models": {"llama": 2}, "start": "2026-12-01T00:00:00", "end": "2026-12-02T00:00:00"},
    }
    # Six-hour buckets: every bucket of the period is listed, empty ones too.
    six = (await service.daily(ADMIN, window, "6h", "tokens", True))["data"]
    assert [e["date"] for e in six] == [f"2026-12-02 {h:02d}:00" for h in (0, 6, 12, 18)]
    assert six[1]["models"] == {"gpt": 10, "llama": 0}
    assert six[1]["previous"] == {
        "models": {"llama": 25},
        "start": "2026-12-01T06:00:00",
        "end": "2026-12-01T12:00:00",
    }
    assert six[0]["models"] == {} and six[0]["previous"]["models"] == {}
    for bad in (
        lambda: service.daily(ADMIN, Window(start=day2), "daily", "messages", True),
        lambda: service.daily(ADMIN, Window(start=day2, end=day2 - 1), "daily", "messages", True),
        lambda: service.daily(ADMIN, window, "weekly"),
        lambda: service.daily(ADMIN, window, "daily", "chars"),
        lambda: service.daily(ADMIN, Window(start=0, end=NOW), "10m"),
    ):
        with pytest.raises(errors.InvalidArgument):
            await bad()


async def test_filters(service: AnalyticsService) -> None:
    alice_only = Window(user_ids=("alice",))
    assert (await service.summary(ADMIN, alice_only))["total_users"] == 1
    day2 = Window(start=DAY2, end=NOW)
    assert (await service.summary(ADMIN, day2))["total_messages"] == 4
    nobody = Window(user_ids=())
    assert (await service.summary(ADMIN, nobody))["total_messages"] == 0


async def test_messages_chats_and_overview(service: AnalyticsService) -> None:
    everyone = Window()
    assert (
        await service.messages(ADMIN, everyone, chat_id="", model_id="", user_id="", skip=0, limit=50) == []
    )
    chat = await service.messages(ADMIN, everyone, chat_id="a", model_id="", user_id="", skip=0, limit=50)
    assert [m["role"] for m in chat] == ["user", "assistant", "user", "assistant"]
    assert chat[1]["model_id"] == "llama" and chat[1]["usage"] == {
        "prompt_tokens": 10,
        "completion_tokens": 5,
    }
    page = await service.messages(ADMIN, everyone, chat_id="", model_id="llama", user_id="", skip=1, limit=2)
    assert len(page) == 2
    chats = await service.model_chats(ADMIN, everyone, "llama", 0, 50)
    assert [c["chat_id"] for c in chats["chats"]] == ["c", "a"] and chats["total"] == 2
    assert chats["chats"][1]["first_message"] == "user 0"
    overview = await service.model_overview(ADMIN, "llama", 7)
    assert len(overview["history"]) == 8
    assert {"date": "2026-12-01", "won": 1, "lost": 0} in overview["history"]
    assert overview["tags"] == [{"tag": "weather", "count": 1}]


async def test_admin_reports_refuse_users(service: AnalyticsService) -> None:
    with pytest.raises(errors.PermissionDenied):
        await service.summary(ALICE, Window())
