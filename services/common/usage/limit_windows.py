"""Window math for limits: where a minute, day or month window starts and ends (UTC, epoch s)."""

from datetime import UTC, datetime

MINUTE = "minute"
DAY = "day"
MONTH = "month"
WINDOWS = (MINUTE, DAY, MONTH)


def window_start(window: str, now_s: float) -> int:
    """The start of the window holding ``now_s``."""
    now = int(now_s)
    if window == MINUTE:
        return now - now % 60
    if window == DAY:
        return now - now % 86400
    if window == MONTH:
        moment = datetime.fromtimestamp(now, UTC)
        return int(datetime(moment.year, moment.month, 1, tzinfo=UTC).timestamp())
    raise ValueError(f"unknown window {window!r}")


def window_end(window: str, start: int) -> int:
    """The first second after the window starting at ``start``."""
    if window == MINUTE:
        return start + 60
    if window == DAY:
        return start + 86400
    if window == MONTH:
        moment = datetime.fromtimestamp(start, UTC)
        year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
        return int(datetime(year, month, 1, tzinfo=UTC).timestamp())
    raise ValueError(f"unknown window {window!r}")


def reset_text(seconds: float) -> str:
    """OpenAI's x-ratelimit-reset-* format: ``1s``, ``6m0s``, ``2h3m4s``."""
    total = max(0, int(-(-seconds // 1)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes}m{secs}s"
    if minutes:
        return f"{minutes}m{secs}s"
    return f"{secs}s"
