"""Several replicas on one machine: two gateways, two inference and two ingest services (one auth) on
one Postgres and one NATS. A token from one gateway works on the other, a file uploaded through one
is chat context through the other, a job survives the death of the replica working on it, a revoked
key is refused everywhere within 5 s, and the round_robin channels really spread calls."""

import time
from collections.abc import Iterator
from dataclasses import dataclass

import psutil
import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from services.common.infra import free_port
from services.stack import Stack, StackConfig
from tests.e2e.conftest import OPENAI_KEY, TEST_ENV, Account, signup, upload, upstream_env, wait_processed
from tests.e2e.test_replicas import REVOCATION_BOUND_S, seconds_until_refused
from tests.fakes.ollama import FakeOllama
from tests.fakes.openai import FakeOpenAI

pytestmark = pytest.mark.slow

REPLICAS = {"gateway": 2, "inference": 2, "ingest": 2}
LLAMA = "llama3.2:latest"
SENTENCE = "The lighthouse on Skerry Nine is painted violet and green."
MODEL_LOADED = "embedding model"
DEADLINE_S = 60.0


@dataclass
class Scaled:
    stack: Stack
    a: str
    b: str
    admin: Account
    ollama: FakeOllama


def wait_for_log(stack: Stack, name: str, text: str, timeout_s: float = DEADLINE_S) -> None:
    deadline = time.monotonic() + timeout_s
    while text not in stack.log_tail(name, lines=10_000):
        assert time.monotonic() < deadline, f"{name} never logged {text!r}\n{stack.log_tail(name)}"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scaled]:
    data_dir = tmp_path_factory.mktemp("scaled")
    with FakeOllama() as ollama, FakeOpenAI(api_key=OPENAI_KEY) as openai:
        stack = Stack(
            StackConfig(
                data_dir=data_dir,
                port=free_port(),
                durable=False,
                env={
                    **TEST_ENV,
                    **upstream_env(ollama, openai),
                    # Both ingest replicas load the model at once, before the kill test needs it.
                    "EMBEDDING_PRELOAD": "true",
                    # One thread each: the machine has few cores for seven services.
                    "EMBEDDING_THREADS": "1",
                    # The dead replica's job comes back within seconds.
                    "INGEST_ACK_WAIT_S": "3",
                },
                log_dir=data_dir / "logs",
                replicas=REPLICAS,
            )
        )
        stack.start()
        try:
            a, b = stack.gateway_urls
            admin = signup(a, "admin@example.com", "admin password", "Admin")
            yield Scaled(stack, a, b, admin, ollama)
        finally:
            stack.stop()


def test_stack_runs_every_replica_on_its_own_ports(scaled: Scaled) -> None:
    stack = scaled.stack
    assert set(stack.processes) == {
        "auth",
        "inference",
        "inference-1",
        "ingest",
        "ingest-1",
        "gateway",
        "gateway-1",
    }
    ports = [*stack.grpc_ports.values(), *stack.metrics_ports.values(), *stack.gateway_ports.values()]
    assert len(ports) == len(set(ports)) == 5 + 5 + 2
    assert stack.gateway_url == scaled.a != scaled.b
    env = stack.process_env("gateway-1")
    ports_of = (stack.grpc_ports["inference"], stack.grpc_ports["inference-1"])
    assert env["INFERENCE_GRPC_TARGET"] == "ipv4:127.0.0.1:{},127.0.0.1:{}".format(*ports_of)
    assert env["PORT"] == scaled.b.rsplit(":", 1)[1]


def test_token_from_one_gateway_works_on_the_other(scaled: Scaled) -> None:
    signin = requests.post(
        f"{scaled.a}/api/v1/auths/signin",
        json={"email": "admin@example.com", "password": "admin password"},
        timeout=10,
    )
    assert signin.status_code == 200, signin.text
    headers = {"Authorization": f"Bearer {signin.json()['token']}"}
    reply = requests.get(f"{scaled.b}/api/v1/auths/", headers=headers, timeout=10)
    assert reply.status_code == 200 and reply.json()["email"] == "admin@example.com"


def test_upload_on_one_gateway_is_chat_context_on_the_other(scaled: Scaled) -> None:
    a, b, admin = scaled.a, scaled.b, scaled.admin
    text = f"{SENTENCE}\n\nSailors use it to find the harbour in fog."
    reply = upload(a, admin, "skerry.txt", text.encode())
    assert reply.status_code == 200, reply.text
    file_id = reply.json()["id"]
    assert wait_processed(a, admin, file_id)["data"]["status"] == "completed"
    created = requests.post(
        f"{a}/api/v1/knowledge/create",
        headers=admin.headers,
        json={"name": "skerries", "description": "lighthouses"},
        timeout=10,
    )
    assert created.status_code == 200, created.text
    knowledge_id = created.json()["id"]
    added = requests.post(
        f"{a}/api/v1/knowledge/{knowledge_id}/file/add",
        headers=admin.headers,
        json={"file_id": file_id},
        timeout=30,
    )
    assert added.status_code == 200, added.text

    scaled.ollama.reset()
    chat = requests.post(
        f"{b}/api/chat/completions",
        headers=admin.headers,
        json={
            "model": LLAMA,
            "messages": [{"role": "user", "content": "What colour is the Skerry Nine lighthouse?"}],
            "stream": False,
            "files": [{"type": "collection", "id": knowledge_id}],
        },
        timeout=60,
    )
    assert chat.status_code == 200, chat.text
    calls = [r for r in scaled.ollama.requests if r.path == "/api/chat"]
    assert len(calls) == 1, [r.path for r in scaled.ollama.requests]
    prompt = calls[0].json["messages"][-1]["content"]
    assert SENTENCE in prompt, prompt
    # Every search, whichever ingest replica answers it, sees the collection.
    for url in (a, b) * 3:
        found = requests.post(
            f"{url}/api/v1/retrieval/query/collection",
            headers=admin.headers,
            json={"collection_names": [knowledge_id], "query": "Skerry Nine lighthouse", "k": 1},
            timeout=30,
        )
        assert found.status_code == 200, found.text
        assert SENTENCE in found.json()["documents"][0][0]


def test_revoked_key_is_refused_on_the_other_gateway_within_bound(scaled: Scaled) -> None:
    a, b = scaled.a, scaled.b
    account = signup(a, "key-owner@example.com")
    key = requests.post(f"{a}/api/v1/auths/api_key", headers=account.headers, timeout=10)
    assert key.status_code == 200, key.text
    key_headers = {"Authorization": f"Bearer {key.json()['api_key']}"}
    # Gateway B knows the key (and caches it) before A revokes it.
    assert requests.get(f"{b}/api/v1/auths/api_key", headers=key_headers, timeout=10).status_code == 200
    deleted = requests.delete(f"{a}/api/v1/auths/api_key", headers=account.headers, timeout=10)
    assert deleted.json() is True
    assert seconds_until_refused(b, key_headers) <= REVOCATION_BOUND_S


def served_calls(stack: Stack, name: str) -> float:
    """The platform calls (health checks left out) process ``name`` answered, from its /metrics."""
    text = requests.get(f"http://127.0.0.1:{stack.metrics_ports[name]}/metrics", timeout=5).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        if family.name == "webui_grpc_requests"
        for sample in family.samples
        if sample.name == "webui_grpc_requests_total" and sample.labels["method"].startswith("/webui.")
    )


def test_round_robin_spreads_calls_over_every_replica(scaled: Scaled) -> None:
    stack = scaled.stack
    for url in (scaled.a, scaled.b):
        for _ in range(6):
            assert requests.get(f"{url}/api/models", headers=scaled.admin.headers, timeout=10).ok
            assert requests.get(f"{url}/api/v1/files/", headers=scaled.admin.headers, timeout=10).ok
    counts = {name: served_calls(stack, name) for name in ("inference", "inference-1", "ingest", "ingest-1")}
    assert all(count >= 3 for count in counts.values()), counts


def test_two_inference_replicas_share_one_request_limit(scaled: Scaled) -> None:
    """Of N+1 chat completions spread over both gateways and so over both inference replicas, the
    last is refused. Tolerance: a refusal may come early by what the other replica still holds
    leased (at most max(1, what remained / USAGE_LEASE_DIVISOR) per replica); with N below the
    divisor (16) every lease is one request, so the limit is exact and none is refused early."""
    limit = 8
    key = requests.post(
        f"{scaled.a}/api/v1/auths/api_keys",
        json={"name": "shared-limit", "kind": "chat"},
        headers=scaled.admin.headers,
        timeout=10,
    )
    assert key.status_code == 200, key.text
    limits = {"subject_type": "key", "subject_id": key.json()["id"], "rpm": limit}
    stored = requests.post(
        f"{scaled.a}/api/v1/usage/limits", json=limits, headers=scaled.admin.headers, timeout=10
    )
    assert stored.status_code == 200, stored.text
    # The other inference replica re-reads the stored limits within USAGE_LIMITS_TTL_S (2 s); the
    # N+1 requests must fall in one minute window.
    time.sleep(max(2.5, 61 - time.time() % 60 if time.time() % 60 > 45 else 0))
    before = {name: served_calls(scaled.stack, name) for name in ("inference", "inference-1")}
    headers = {"Authorization": f"Bearer {key.json()['api_key']}"}
    body = {"model": LLAMA, "messages": [{"role": "user", "content": "hi"}], "stream": False}
    statuses = []
    for i in range(limit + 1):
        url = scaled.a if i % 2 == 0 else scaled.b
        reply = requests.post(f"{url}/api/chat/completions", json=body, headers=headers, timeout=30)
        statuses.append(reply.status_code)
    assert statuses == [200] * limit + [429], statuses
    served = {name: served_calls(scaled.stack, name) - before[name] for name in before}
    assert all(count >= 2 for count in served.values()), served


def _document(paragraphs: int) -> bytes:
    # Distinct paragraphs, so that every chunk needs its own embedding and the job takes a while.
    return "\n\n".join(
        f"Entry {n}: the tram to quarter {n % 89} left at {n % 24} o'clock carrying {n * 5} parcels, "
        f"{n * 2} baskets of pears and a note for the clockmaker at number {n}. " * 3
        for n in range(paragraphs)
    ).encode()


def busy_replica(stack: Stack, names: tuple[str, str], timeout_s: float = 20.0) -> str:
    """The one of ``names`` that is burning CPU (embedding) while the other idles."""
    processes = {name: psutil.Process(stack.processes[name].pid) for name in names}
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        before = {name: sum(p.cpu_times()[:2]) for name, p in processes.items()}
        time.sleep(0.5)
        used = {name: sum(p.cpu_times()[:2]) - before[name] for name, p in processes.items()}
        busy, idle = sorted(names, key=used.__getitem__, reverse=True)
        if used[busy] > 0.2 and used[idle] < used[busy] / 4:
            return busy
    raise AssertionError(f"no ingest replica is working alone: {used}")


def test_job_of_a_killed_ingest_replica_completes_on_the_other(scaled: Scaled) -> None:
    stack, a, b, admin = scaled.stack, scaled.a, scaled.b, scaled.admin
    for name in ("ingest", "ingest-1"):
        wait_for_log(stack, name, MODEL_LOADED)
    reply = upload(a, admin, "trams.txt", _document(300))
    assert reply.status_code == 200, reply.text
    file_id = reply.json()["id"]
    deadline = time.monotonic() + DEADLINE_S
    while (status := _status(b, admin, file_id)) == "pending":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert status == "processing", status

    victim = busy_replica(stack, ("ingest", "ingest-1"))
    survivor = "ingest-1" if victim == "ingest" else "ingest"
    stack.kill_service(victim)
    assert _status(a, admin, file_id) in ("processing", "pending")

    body = wait_processed(b, admin, file_id, deadline_s=DEADLINE_S)
    assert body["data"]["status"] == "completed", stack.log_tail(survivor)
    assert "clockmaker at number 299" in body["data"]["content"]
    assert f"file {file_id} completed" in stack.log_tail(survivor, lines=10_000)
    assert f"file {file_id} completed" not in stack.log_tail(victim, lines=10_000)
    # Either gateway reports it.
    assert _status(a, admin, file_id) == "completed"


def _status(url: str, account: Account, file_id: str) -> str:
    reply = requests.get(f"{url}/api/v1/files/{file_id}/process/status", headers=account.headers, timeout=10)
    assert reply.status_code == 200, reply.text
    return reply.json()["status"]
