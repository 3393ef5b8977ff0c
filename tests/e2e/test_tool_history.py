"""/api/v1/tools versions and /load/url end to end: history entries with their authors' names,
diff, one entry, delete, re-applying a version, Open WebUI's refusals; a tool's source fetched
from a small HTTP server on loopback (the e2e stack allows every network)."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from services.common import messages
from tests.e2e.conftest import Account, Running
from tests.e2e.test_tools_api import call, create, made, read_grant, source, tool_form

__all__ = ["made"]  # the fixture, imported for these tests

ENTRY_KEYS = ["id", "tool_id", "parent_id", "user_id", "commit_message", "created_at", "user"]


def test_every_change_is_a_version(running: Running, user: Account, made: list[str]) -> None:
    created = create(running, made, commit_message="first")
    tid = created["id"]
    changed = source("weather_tool") + "# changed\n"
    updated = call(
        running, "POST", f"/id/{tid}/update", running.admin, tool_form(tid, changed, commit_message="second")
    ).json()
    assert updated["version_id"] != created["version_id"]
    listed = call(running, "GET", f"/id/{tid}/history?page=1", running.admin)
    assert listed.status_code == 200, listed.text
    second, first = listed.json()
    assert list(first) == ENTRY_KEYS
    assert first["id"] == created["version_id"]
    assert (first["parent_id"], first["commit_message"]) == (None, "first")
    assert (second["id"], second["parent_id"], second["commit_message"]) == (
        updated["version_id"],
        first["id"],
        "second",
    )
    assert first["user"] == {"name": running.admin.signup_reply["name"]}
    assert call(running, "GET", f"/id/{tid}/history?page=2", running.admin).json() == []

    entry = call(running, "GET", f"/id/{tid}/history/{first['id']}", running.admin).json()
    assert entry["snapshot"]["content"] == source("weather_tool")
    assert entry["snapshot"]["specs"][0]["name"] == "get_weather"

    diff = call(running, "GET", f"/id/{tid}/history/diff", running.admin).json()
    assert (diff["from_id"], diff["to_id"]) == (first["id"], second["id"])
    assert "+# changed\n" in diff["content"]
    explicit = f"/id/{tid}/history/diff?from_id={second['id']}&to_id={first['id']}"
    assert "-# changed\n" in call(running, "GET", explicit, running.admin).json()["content"]

    restored = call(running, "POST", f"/id/{tid}/update/version", running.admin, {"version_id": first["id"]})
    assert restored.status_code == 200, restored.text
    assert (restored.json()["version_id"], restored.json()["content"]) == (
        first["id"],
        source("weather_tool"),
    )
    assert call(running, "GET", f"/id/{tid}", running.admin).json()["version_id"] == first["id"]

    current = call(running, "DELETE", f"/id/{tid}/history/{first['id']}", running.admin)
    assert current.status_code == 400
    deleted = call(running, "DELETE", f"/id/{tid}/history/{second['id']}", running.admin)
    assert (deleted.status_code, deleted.json()) == (200, True)
    assert [e["id"] for e in call(running, "GET", f"/id/{tid}/history", running.admin).json()] == [
        first["id"]
    ]


def test_history_refusals(running: Running, user: Account, made: list[str]) -> None:
    tid = create(running, made, access_grants=[read_grant(user)])["id"]
    version_id = call(running, "GET", f"/id/{tid}/history", running.admin).json()[0]["id"]
    for method, path, body in (
        ("GET", "/history", None),
        ("GET", "/history/diff", None),
        ("GET", f"/history/{version_id}", None),
        ("DELETE", f"/history/{version_id}", None),
        ("POST", "/update/version", {"version_id": version_id}),
    ):
        missing = call(running, method, f"/id/nope_missing{path}", running.admin, body)
        assert (missing.status_code, missing.json()) == (404, {"detail": "Not found"}), path
        denied = call(running, method, f"/id/{tid}{path}", user, body)
        assert (denied.status_code, denied.json()) == (401, {"detail": messages.ACCESS_PROHIBITED}), path
    for method, path, body in (
        ("GET", "/history/nope", None),
        ("GET", "/history/diff?from_id=nope", None),
        ("DELETE", "/history/nope", None),
        ("POST", "/update/version", {"version_id": "nope"}),
    ):
        gone = call(running, method, f"/id/{tid}{path}", running.admin, body)
        assert (gone.status_code, gone.json()) == (404, {"detail": "Version not found"}), path
    assert call(running, "POST", f"/id/{tid}/update/version", running.admin, {}).status_code == 422


class _Sources(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path in ("/tools/weather.py", "/tools/weather/main.py"):
            self._send(200, source("weather_tool").encode())
        elif self.path == "/empty.py":
            self._send(200, b"")
        elif self.path == "/big.py":
            self._send(200, b"#" * (1024 * 1024 + 1))
        elif self.path == "/moved.py":
            self.send_response(302)
            self.send_header("Location", "/tools/weather.py")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self._send(404, b"no")

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def sources() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sources)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_load_url(running: Running, user: Account, sources: str) -> None:
    def load(url: str, account: Account | None = None):
        return call(running, "POST", "/load/url", account or running.admin, {"url": url})

    loaded = load(f"{sources}/tools/weather.py")
    assert (loaded.status_code, loaded.json()) == (
        200,
        {"name": "weather", "content": source("weather_tool")},
    )
    assert load(f"{sources}/tools/weather/main.py").json()["name"] == "weather"
    missing = load(f"{sources}/missing.py")
    assert (missing.status_code, missing.json()) == (404, {"detail": "Failed to fetch the tool"})
    moved = load(f"{sources}/moved.py")
    assert (moved.status_code, moved.json()) == (302, {"detail": "Failed to fetch the tool"})
    empty = load(f"{sources}/empty.py")
    assert (empty.status_code, empty.json()) == (400, {"detail": "No data received from the URL"})
    assert load(f"{sources}/big.py").status_code == 400
    down = load("http://127.0.0.1:9/x.py")
    assert (down.status_code, down.json()) == (500, {"detail": "[ERROR: Error fetching tool]"})
    assert load("ftp://example.com/x.py").status_code == 400
    denied = load(f"{sources}/tools/weather.py", user)
    assert (denied.status_code, denied.json()) == (401, {"detail": messages.ACCESS_PROHIBITED})
