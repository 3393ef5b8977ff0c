"""A worker killed in the middle of a job loses nothing: the job is redelivered and completes."""

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.e2e.conftest import Account, make_stack, signup

pytestmark = pytest.mark.slow


def _document(paragraphs: int) -> bytes:
    # Distinct paragraphs, so that every chunk needs its own embedding and the job takes a while.
    return "\n\n".join(
        f"Record {n}: the ferry to island {n % 97} left at {n % 24} o'clock carrying {n * 7} crates of "
        f"apples, {n * 3} sacks of flour and a letter for the keeper of lighthouse number {n}. " * 3
        for n in range(paragraphs)
    ).encode()


@pytest.fixture
def crashy_stack(tmp_path: Path) -> Iterator[tuple]:
    # A short ack wait, so that the dead worker's job comes back within seconds.
    stack = make_stack(tmp_path, INGEST_ACK_WAIT_S="3", EMBEDDING_PRELOAD="true")
    stack.start()
    try:
        yield stack, signup(stack.gateway_url, "admin@example.com", "admin password", "Admin")
    finally:
        stack.stop()


def _status(url: str, account: Account, file_id: str) -> str:
    reply = requests.get(f"{url}/api/v1/files/{file_id}/process/status", headers=account.headers, timeout=10)
    assert reply.status_code == 200, reply.text
    return reply.json()["status"]


def _wait_until_ready(url: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while requests.get(f"{url}/ready", timeout=10).status_code != 200:
        assert time.monotonic() < deadline, "the gateway did not see the restarted service"
        time.sleep(0.2)


def _wait_for(url: str, account: Account, file_id: str, wanted: set[str], timeout_s: float) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status = _status(url, account, file_id)
        if status in wanted:
            return status
        time.sleep(0.05)
    raise AssertionError(f"file {file_id} never reached {wanted}")


def test_killed_worker_job_is_redelivered_and_completes(crashy_stack: tuple) -> None:
    stack, admin = crashy_stack
    url = stack.gateway_url
    reply = requests.post(
        f"{url}/api/v1/files/",
        headers=admin.headers,
        files={"file": ("ferries.txt", _document(400), "text/plain")},
        timeout=30,
    )
    assert reply.status_code == 200, reply.text
    file_id = reply.json()["id"]

    assert _wait_for(url, admin, file_id, {"processing", "completed"}, 60) == "processing"
    stack.kill_service("ingest")
    # Nobody works on it now; the file must not be lost nor marked failed.
    time.sleep(1)
    stack.restart_service("ingest")
    # The gateway's channel reconnects on its own backoff, so the first calls after a restart may
    # still be 503 (the outage answer): wait until the gateway sees ingest again.
    _wait_until_ready(url, 30)
    # Not failed: still waiting for its redelivery, or already done by it.
    assert _status(url, admin, file_id) in ("processing", "pending", "completed")

    final = _wait_for(url, admin, file_id, {"completed", "failed"}, 180)
    assert final == "completed", stack.log_tail("ingest")
    body = requests.get(f"{url}/api/v1/files/{file_id}", headers=admin.headers, timeout=10).json()
    assert "lighthouse number 399" in body["data"]["content"]
    query = requests.post(
        f"{url}/api/v1/retrieval/query/doc",
        headers=admin.headers,
        json={"collection_name": f"file-{file_id}", "query": "letter for the lighthouse keeper", "k": 3},
        timeout=60,
    )
    assert query.status_code == 200, query.text
    assert query.json()["documents"][0]
