"""Hostile bodies and documents keep every service within its Kubernetes memory limit."""

import orjson
import requests

from bench.memory_probes import (
    RssSampler,
    chat_probe,
    docx_bomb,
    long_message_body,
    many_keys_body,
    upload_and_wait,
)
from services.common import messages
from tests.e2e.conftest import Account, Running

# deploy/k8s/base: gateway and inference `limits.memory` (512Mi, 1Gi).
GATEWAY_LIMIT_MB = 512
INFERENCE_LIMIT_MB = 1024
# The ingest container allows 2Gi, most of it for the embedding model (not loaded by this stack):
# extraction itself must stay within a few hundred MB.
INGEST_EXTRACTION_MB = 300


def _pids(running: Running) -> dict[str, int]:
    return {name: running.stack.processes[name].pid for name in ("gateway", "inference", "ingest")}


def test_four_concurrent_25_mb_bodies_of_1_5_m_keys(running: Running, user: Account) -> None:
    # The probe drove the gateway from 76 to 637 MB and inference from 106 to 880 MB.
    body = many_keys_body(1_500_000)
    assert 25 * 2**20 < len(body) < 30 * 2**20
    with RssSampler(_pids(running)) as sampler:
        replies = chat_probe(running.url, user.token, body, clients=4)
    detail = orjson.dumps({"detail": messages.JSON_TOO_MANY_VALUES}).decode()
    assert replies == [(413, detail)] * 4
    assert sampler.peak_mb["gateway"] < GATEWAY_LIMIT_MB * 0.6, sampler.peak_mb
    assert sampler.peak_mb["inference"] < INFERENCE_LIMIT_MB * 0.6, sampler.peak_mb


def test_six_concurrent_25_mb_bodies_stay_within_the_gateway_limit(running: Running, user: Account) -> None:
    # Legitimate large bodies (one long message each): four took the gateway to 449 MB of its
    # 512 Mi; the body budget lets two of them in at a time, the others wait for room.
    body = long_message_body(25 * 2**20)
    with RssSampler(_pids(running)) as sampler:
        replies = chat_probe(running.url, user.token, body, clients=6)
    statuses = [status for status, _ in replies]
    # A body that found no room within the wait is told to come back (503), never lost or a 500.
    assert set(statuses) <= {200, 503} and statuses.count(200) >= 2, replies
    assert sampler.peak_mb["gateway"] < GATEWAY_LIMIT_MB * 0.75, sampler.peak_mb
    assert sampler.peak_mb["inference"] < INFERENCE_LIMIT_MB * 0.75, sampler.peak_mb


def test_proxied_json_with_too_many_values_is_refused(running: Running, user: Account) -> None:
    reply = requests.post(
        f"{running.url}/ollama/api/chat",
        data=b"[" + b"0," * 300_000 + b"0]",
        headers=user.headers,
        timeout=30,
    )
    assert (reply.status_code, reply.json()) == (413, {"detail": messages.JSON_TOO_MANY_VALUES})


def test_docx_bomb_fails_without_being_parsed(running: Running, user: Account) -> None:
    # 180 KB holding 60 MB of XML took ingest to 1.37 GB.
    bomb = docx_bomb(60 * 2**20)
    with RssSampler(_pids(running)) as sampler:
        before = sampler.now_mb()["ingest"]
        data = upload_and_wait(running.url, user.token, "bomb.docx", bomb, deadline_s=60)
    assert data["status"] == "failed"
    assert data["error"].startswith("The DOCX file unpacks to ")
    assert sampler.peak_mb["ingest"] - before < INGEST_EXTRACTION_MB, sampler.peak_mb


def test_text_over_the_cap_fails_with_its_reason(running: Running, user: Account) -> None:
    data = upload_and_wait(running.url, user.token, "big.txt", b"word " * 1_100_000, deadline_s=60)
    assert data == {"status": "failed", "error": "The extracted text is longer than 5000000 characters"}
