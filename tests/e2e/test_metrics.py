"""Prometheus metrics through the whole stack: the gateway's `/metrics` counts by route pattern,
and every gRPC service answers on its METRICS_LISTEN port."""

import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.conftest import Account, Running
from tests.fakes.ollama import FakeOllama

FILE_ROUTE = "/api/v1/files/{file_id}"
CHAT_ROUTE = "/api/chat/completions"


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    reply = requests.get(url, timeout=10)
    assert reply.status_code == 200, reply.text
    assert reply.headers["Content-Type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(reply.text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_gateway_counts_requests_by_route_pattern(
    running: Running, user: Account, ollama: FakeOllama
) -> None:
    before = scrape(f"{running.url}/metrics")
    for file_id in ("no-such-file-1", "no-such-file-2"):
        reply = requests.get(f"{running.url}/api/v1/files/{file_id}", headers=user.headers, timeout=10)
        assert reply.status_code == 404
    assert requests.get(f"{running.url}/no/such/path/4711", timeout=10).status_code == 404
    chat = requests.post(
        f"{running.url}/api/chat/completions",
        json={"model": "llama3.2:latest", "messages": [{"role": "user", "content": "Hi"}], "stream": True},
        headers=user.headers,
        timeout=30,
    )
    assert chat.status_code == 200 and chat.content.endswith(b"data: [DONE]\n\n")
    after = scrape(f"{running.url}/metrics")

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    requests_total = "webui_http_requests_total"
    assert delta(requests_total, method="GET", route=FILE_ROUTE, status="404") == 2
    assert delta(requests_total, method="GET", route="unmatched", status="404") >= 1
    assert delta(requests_total, method="POST", route=CHAT_ROUTE, status="200") == 1
    assert delta("webui_http_request_duration_seconds_count", method="POST", route=CHAT_ROUTE) == 1
    # The file lookups failed in the ingest service and were mapped to HTTP in one place.
    assert delta("webui_backend_errors_total", backend="ingest", code="NOT_FOUND") == 2
    # No raw paths in the labels: the unknown ids and the unmatched path appear nowhere.
    label_values = {v for _, labels in after for _, v in labels}
    assert not [v for v in label_values if "no-such-file" in v or "4711" in v]
    assert value(after, "process_resident_memory_bytes") > 0


def test_every_grpc_service_serves_metrics(running: Running, user: Account, ollama: FakeOllama) -> None:
    ports = running.stack.metrics_ports
    assert {"auth", "inference", "ingest"} <= set(ports)
    inference_before = scrape(f"http://127.0.0.1:{ports['inference']}/metrics")
    chat = requests.post(
        f"{running.url}/api/chat/completions",
        json={"model": "llama3.2:latest", "messages": [{"role": "user", "content": "Hi"}]},
        headers=user.headers,
        timeout=30,
    )
    assert chat.status_code == 200, chat.text
    samples = {name: scrape(f"http://127.0.0.1:{port}/metrics") for name, port in ports.items()}

    auth = samples["auth"]
    authenticate = "/webui.auth.v1.AuthService/Authenticate"
    assert value(auth, "webui_grpc_requests_total", method=authenticate, code="OK") >= 1
    inference = samples["inference"]
    chat_method = "/webui.inference.v1.InferenceService/ChatCompletion"
    assert value(inference, "webui_grpc_requests_total", method=chat_method, code="OK") >= 1
    ok = ("webui_upstream_requests_total", (("kind", "ollama"), ("outcome", "ok")))
    assert inference.get(ok, 0) > inference_before.get(ok, 0)
    ingest = samples["ingest"]
    assert ("webui_ingest_queue_depth", ()) in ingest
    assert ("webui_faiss_collections", ()) in ingest and ("webui_faiss_vectors", ()) in ingest
