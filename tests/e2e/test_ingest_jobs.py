"""``/api/v1/ingest``: jobs and batches through the gateway, with a signed batch callback."""

import time

import requests

from services.ingest.ingest_jobs.signing import verify
from tests.e2e.conftest import (
    E2E_CALLBACK_SECRET,
    Account,
    Running,
    upload,
    uploaded,
    verified_user,
    wait_processed,
)
from tests.fakes.callback_receiver import CallbackReceiver


def _get(running: Running, account: Account, path: str, **params: str) -> requests.Response:
    return requests.get(f"{running.url}{path}", headers=account.headers, params=params, timeout=10)


def _post(running: Running, account: Account, path: str, body: dict | None = None) -> requests.Response:
    return requests.post(f"{running.url}{path}", headers=account.headers, json=body, timeout=10)


def test_batch_upload_jobs_and_signed_callback(running: Running, other_user: Account) -> None:
    owner = verified_user(running, "jobs-owner@example.com", "Jobs Owner")
    with CallbackReceiver() as receiver:
        reply = _post(running, owner, "/api/v1/ingest/batches", {"callback_url": receiver.url("/batch")})
        assert reply.status_code == 200, reply.text
        batch = reply.json()
        assert batch["total"] == 0 and batch["has_callback"] and not batch["finished"]

        files = [
            uploaded(
                running.url,
                owner,
                f"job{n}.txt",
                f"Jobs file number {n}.".encode(),
                query=f"?batch_id={batch['id']}",
            )
            for n in range(2)
        ]
        for file in files:
            assert wait_processed(running.url, owner, file["id"])["data"]["status"] == "completed"
        # A batch calls back each time it has no unfinished job (maybe after the first file alone).
        deadline = time.monotonic() + 30
        while not any(r.json["batch"]["total"] == 2 for r in receiver.delivered()):
            assert time.monotonic() < deadline, receiver.received
            time.sleep(0.1)
        delivered = [r for r in receiver.delivered() if r.json["batch"]["total"] == 2][-1]
        assert verify(E2E_CALLBACK_SECRET, delivered.headers, delivered.body, now=int(time.time()))
        assert delivered.json["event"] == "batch.finished"
        assert delivered.json["batch"]["counts"] == {"completed": 2}

    got = _get(running, owner, f"/api/v1/ingest/batches/{batch['id']}").json()
    assert got["total"] == 2 and got["finished"] and got["counts"]["completed"] == 2
    listed = _get(running, owner, "/api/v1/ingest/jobs", batch_id=batch["id"]).json()
    assert listed["total"] == 2 and {j["file_id"] for j in listed["items"]} == {f["id"] for f in files}
    job = listed["items"][0]
    assert job["state"] == "completed" and job["attempts"] == 1 and job["finished_at"] >= job["created_at"]
    assert (
        _get(running, owner, "/api/v1/ingest/jobs", state="completed", file_id=job["file_id"]).json()["total"]
        == 1
    )
    assert _get(running, owner, "/api/v1/ingest/jobs", state="failed").json()["total"] == 0

    # An ended job is returned unchanged by cancel; a completed one cannot be retried.
    assert _post(running, owner, f"/api/v1/ingest/jobs/{job['id']}/cancel").json()["state"] == "completed"
    refused = _post(running, owner, f"/api/v1/ingest/jobs/{job['id']}/retry")
    assert refused.status_code == 400 and "failed or cancelled" in refused.json()["detail"]
    assert _post(running, owner, f"/api/v1/ingest/batches/{batch['id']}/retry").json()["retried"] == 0

    # Another user sees none of it.
    for path in (f"/api/v1/ingest/jobs/{job['id']}", f"/api/v1/ingest/batches/{batch['id']}"):
        assert _get(running, other_user, path).status_code == 404
    assert _post(running, other_user, f"/api/v1/ingest/batches/{batch['id']}/cancel").status_code == 404
    assert _get(running, other_user, "/api/v1/ingest/jobs", batch_id=batch["id"]).json()["total"] == 0
    # The admin sees everyone's.
    assert _get(running, running.admin, f"/api/v1/ingest/jobs/{job['id']}").status_code == 200


def test_bad_batches_and_callbacks_are_refused(running: Running, user: Account) -> None:
    refused = _post(running, user, "/api/v1/ingest/batches", {"callback_url": "http://10.9.8.7/hook"})
    assert refused.status_code == 400
    assert refused.json()["detail"] == "The callback host 10.9.8.7 is not on the allow-list."
    assert _post(running, user, "/api/v1/ingest/batches", {"callback_url": 5}).status_code == 422
    # An empty body is a batch without a callback.
    plain = requests.post(f"{running.url}/api/v1/ingest/batches", headers=user.headers, timeout=10)
    assert plain.status_code == 200 and not plain.json()["has_callback"]

    reply = upload(running.url, user, "x.txt", b"x", query="?callback_url=ftp://127.0.0.1/x")
    assert reply.status_code == 400 and "http or https" in reply.json()["detail"]
    assert upload(running.url, user, "x.txt", b"x", query="?batch_id=nope").status_code == 404
    reply = upload(running.url, user, "x.txt", b"x", query=f"?process=false&batch_id={plain.json()['id']}")
    assert reply.status_code == 400

    assert _get(running, user, "/api/v1/ingest/jobs", state="bogus").status_code == 422
    assert _get(running, user, "/api/v1/ingest/jobs", page="0").status_code == 422
    assert _get(running, user, "/api/v1/ingest/jobs/does-not-exist").status_code == 404
    assert _post(running, user, "/api/v1/ingest/jobs/does-not-exist/retry").status_code == 404
    assert requests.get(f"{running.url}/api/v1/ingest/jobs", timeout=10).status_code == 401
