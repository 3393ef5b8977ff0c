"""Recovery benchmark: failed requests and seconds until requests succeed after SIGKILL of each process.

Starts the fake Ollama in this process and a healing stack (as ``make run`` runs it) in a temp
DATA_DIR, keeps a few clients looping chat completions and file listings through the gateway, and
kills auth, inference, ingest, the gateway, nats-server and PostgreSQL in turn.

    python bench/recovery.py --clients 4
"""

import argparse
import logging
import os
import signal
import socket
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from services.common.infra import free_port
from services.stack import Stack, StackConfig
from tests.fakes.ollama import FakeOllama

TARGETS = ("auth", "inference", "ingest", "gateway", "nats", "postgres")
REQUESTS = (("POST", "/api/chat/completions"), ("GET", "/api/v1/files/"))
CHAT = {"model": "llama3.2:latest", "messages": [{"role": "user", "content": "Hi"}], "stream": False}


def healing_stack(data_dir: Path, ollama_url: str, **env: str) -> Stack:
    """A stack as ``make run`` starts it (healing on), quiet and quick for tests, on the fake Ollama."""
    return Stack(
        StackConfig(
            data_dir=data_dir,
            port=free_port(),
            durable=False,
            env={"BCRYPT_ROUNDS": "4", "EMBEDDING_PRELOAD": "false", "OLLAMA_BASE_URLS": ollama_url, **env},
            log_dir=data_dir / "logs",
            heal=True,
        )
    )


@dataclass(frozen=True)
class Outcome:
    started: float
    ended: float
    ok: bool


class Load:
    """Clients looping a chat completion (gateway, auth, inference) and a file listing (ingest,
    PostgreSQL) through the gateway, each pausing a moment after a failure as a retrying client would."""

    def __init__(self, url: str, token: str, clients: int = 4, pause_after_failure_s: float = 0.1) -> None:
        self._url = url
        self._headers = {"Authorization": f"Bearer {token}"}
        self._clients = clients
        self._pause_s = pause_after_failure_s
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self.outcomes: list[Outcome] = []

    def __enter__(self) -> "Load":
        self._threads = [threading.Thread(target=self._client, daemon=True) for _ in range(self._clients)]
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def since(self, moment: float) -> list[Outcome]:
        with self._lock:
            return [o for o in self.outcomes if o.ended >= moment]

    def _client(self) -> None:
        with requests.Session() as session:
            while not self._stop.is_set():
                for method, path in REQUESTS:
                    body = CHAT if method == "POST" else None
                    started = time.monotonic()
                    try:
                        reply = session.request(
                            method, self._url + path, json=body, headers=self._headers, timeout=10
                        )
                        ok = reply.status_code == 200
                    except requests.RequestException:
                        ok = False
                    with self._lock:
                        self.outcomes.append(Outcome(started, time.monotonic(), ok))
                    if not ok:
                        self._stop.wait(self._pause_s)


@dataclass(frozen=True)
class Recovery:
    name: str
    failures: int
    recovery_s: float


def port_of(stack: Stack, name: str) -> int:
    return {**stack.grpc_ports, **stack.gateway_ports, **stack.infra_ports}[name]


def accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def kill_and_measure(
    stack: Stack, load: Load, name: str, quiet_s: float = 1.0, timeout_s: float = 60
) -> Recovery:
    """SIGKILLs one process and waits until it was replaced, its port accepts connections and requests
    have succeeded for ``quiet_s`` without a failure; recovery is from the kill to the first of those
    successes (or to the port accepting, if later)."""
    pid = stack.pid(name)
    assert pid is not None, name
    killed_at = time.monotonic()
    os.kill(pid, signal.SIGKILL)
    listening_at = None
    while time.monotonic() - killed_at < timeout_s:
        time.sleep(0.02)
        if listening_at is None:
            if stack.pid(name) in (None, pid) or not accepts(port_of(stack, name)):
                continue
            listening_at = time.monotonic()
        after = load.since(killed_at)
        failures = [o for o in after if not o.ok]
        last_failure = max((o.ended for o in failures), default=killed_at)
        good = [o for o in after if o.ok and o.started >= last_failure]
        if good and time.monotonic() - min(o.ended for o in good) >= quiet_s:
            recovered_at = max(min(o.ended for o in good), listening_at)
            return Recovery(name, len(failures), recovered_at - killed_at)
    raise AssertionError(f"{name}: no recovery within {timeout_s} s\n{stack.log_tail(name)}")


def admin_token(url: str) -> str:
    reply = requests.post(
        f"{url}/api/v1/auths/signup",
        json={"name": "Admin", "email": "admin@example.com", "password": "admin password"},
        timeout=10,
    )
    reply.raise_for_status()
    return reply.json()["token"]


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s: %(message)s")
    with tempfile.TemporaryDirectory() as tmp, FakeOllama() as ollama:
        stack = healing_stack(Path(tmp) / "data", ollama.url)
        stack.start()
        try:
            with Load(stack.gateway_url, admin_token(stack.gateway_url), args.clients) as load:
                time.sleep(1)
                print("| process killed | failed requests | seconds to recovery |")
                print("|---|---|---|")
                for name in TARGETS:
                    result = kill_and_measure(stack, load, name)
                    print(f"| {name} | {result.failures} | {result.recovery_s:.2f} |", flush=True)
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
