"""``GET /api/v1/analytics/daily`` with Open WebUI 0.12.4's ``granularity``, ``metric`` and
``compare``."""

import time

import requests

from tests.e2e.conftest import Running

PATH = "/api/v1/analytics/daily"


def daily(running: Running, **params: object) -> requests.Response:
    return requests.get(f"{running.url}{PATH}", params=params, headers=running.admin.headers, timeout=30)


def test_metric_granularity_and_compare(running: Running) -> None:
    now = int(time.time())
    start, end = now - 6 * 3600, now
    plain = daily(running, start_date=start, end_date=end, granularity="3h", metric="tokens")
    assert plain.status_code == 200, plain.text
    entries = plain.json()["data"]
    # A bounded period lists every 3-hour bucket, empty ones too.
    assert 2 <= len(entries) <= 4
    assert all(e["previous"] is None and e["start"] is None and len(e["date"]) == 16 for e in entries)
    compared = daily(running, start_date=start, end_date=end, granularity="3h", compare="true")
    assert compared.status_code == 200, compared.text
    first = compared.json()["data"][0]
    assert first["start"] and first["end"] and set(first["previous"]) == {"models", "start", "end"}

    unbounded = daily(running, start_date=start, compare="true")
    assert unbounded.status_code == 400
    assert unbounded.json()["detail"] == "Comparison requires a bounded date range"
    assert daily(running, metric="chars").status_code == 400
    assert daily(running, granularity="10m", start_date=0, end_date=now).status_code == 400
