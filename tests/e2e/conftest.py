"""End-to-end fixtures: the whole stack as `make run` starts it, on free ports and a temp DATA_DIR."""

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from services.common.infra import free_port
from services.stack import ROOT, Stack, StackConfig
from tests.fakes.base import tool_arguments
from tests.fakes.ollama import FakeOllama
from tests.fakes.openai import FakeOpenAI

# The embedding model loads on first use: most stacks in the tests never embed anything.
TEST_ENV = {"BCRYPT_ROUNDS": "4", "LOG_LEVEL": "INFO", "EMBEDDING_PRELOAD": "false"}
ADMIN_PASSWORD = "admin password"
E2E_CALLBACK_SECRET = "e2e-callback-secret"
OPENAI_KEY = "sk-upstream-test-key"


def make_stack(data_dir: Path, **env: str) -> Stack:
    return Stack(
        StackConfig(
            data_dir=data_dir,
            port=free_port(),
            durable=False,
            env={**TEST_ENV, **env},
            log_dir=data_dir / "logs",
        )
    )


@dataclass
class Account:
    id: str
    email: str
    password: str
    token: str
    signup_reply: dict

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def signup(url: str, email: str, password: str = "user password", name: str = "User") -> Account:
    """Signs up through the gateway at ``url`` (on a fresh stack, the first account is the admin)."""
    reply = requests.post(
        f"{url}/api/v1/auths/signup",
        json={"name": name, "email": email, "password": password},
        timeout=10,
    )
    assert reply.status_code == 200, reply.text
    body = reply.json()
    return Account(body["id"], email, password, body["token"], body)


@dataclass
class Running:
    stack: Stack
    url: str
    config_before_signup: dict
    admin: Account
    ollama: FakeOllama
    openai: FakeOpenAI

    def signup(self, email: str, password: str = "user password", name: str = "User") -> Account:
        return signup(self.url, email, password, name)

    def promote(self, account: Account, role: str = "user") -> None:
        reply = requests.post(
            f"{self.url}/api/v1/users/{account.id}/update",
            json={"role": role},
            headers=self.admin.headers,
            timeout=10,
        )
        assert reply.status_code == 200, reply.text
        # A role change revokes the user's sessions: sign in again.
        signin = requests.post(
            f"{self.url}/api/v1/auths/signin",
            json={"email": account.email, "password": account.password},
            timeout=10,
        )
        assert signin.status_code == 200, signin.text
        account.token = signin.json()["token"]


def upstream_env(ollama: FakeOllama, openai: FakeOpenAI) -> dict[str, str]:
    return {
        "OLLAMA_BASE_URLS": ollama.url,
        "OPENAI_API_BASE_URLS": openai.base_url,
        "OPENAI_API_KEYS": OPENAI_KEY,
        # Tests change the fakes' models and expect to see it at once.
        "MODELS_CACHE_TTL": "0",
        # Tests that stop a fake must not leave it cooling down for the tests after them
        # (cool-down itself is tested in tests/integration/test_inference_grpc.py).
        "UPSTREAM_FAILURE_THRESHOLD": "1000",
    }


@pytest.fixture(scope="session")
def fake_ollama() -> Iterator[FakeOllama]:
    with FakeOllama() as fake:
        yield fake


@pytest.fixture(scope="session")
def fake_openai() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(api_key=OPENAI_KEY) as fake:
        yield fake


@pytest.fixture(scope="session")
def running(
    tmp_path_factory: pytest.TempPathFactory, fake_ollama: FakeOllama, fake_openai: FakeOpenAI
) -> Iterator[Running]:
    """One stack for the e2e session, on the fake upstreams; its first signup (the admin) happens here."""
    stack = make_stack(
        tmp_path_factory.mktemp("stack"),
        **upstream_env(fake_ollama, fake_openai),
        # Users may create knowledge collections (the default, false, is tested on its own stack).
        USER_PERMISSIONS_WORKSPACE_KNOWLEDGE_ACCESS="true",
        # The fake web site of test_retrieval_processing.py listens on 127.0.0.2 (127.0.0.1 stays
        # refused, as every other non-public address).
        WEB_FETCH_LOCAL_ALLOW_LIST="127.0.0.2",
        # Ingest job callbacks (test_ingest_jobs.py) go to a receiver on loopback, signed with this.
        INGEST_CALLBACK_ALLOWED_HOSTS="127.0.0.1",
        INGEST_CALLBACK_SECRET=E2E_CALLBACK_SECRET,
        INGEST_CALLBACK_RETRY_BASE_S="0.2",
        INGEST_CALLBACK_POLL_S="0.2",
    )
    stack.start()
    try:
        url = stack.gateway_url
        config = requests.get(f"{url}/api/config", timeout=10).json()
        reply = requests.post(
            f"{url}/api/v1/auths/signup",
            json={"name": "Admin", "email": "admin@example.com", "password": ADMIN_PASSWORD},
            timeout=10,
        )
        assert reply.status_code == 200, reply.text
        body = reply.json()
        admin = Account(body["id"], "admin@example.com", ADMIN_PASSWORD, body["token"], body)
        yield Running(stack, url, config, admin, fake_ollama, fake_openai)
    finally:
        stack.stop()


def _restore(fake: FakeOllama | FakeOpenAI, models: list[str]) -> None:
    fake.token_delay_s = 0.0
    fake.tokens = 8
    fake.first_byte_delay_s = 0.0
    fake.fail_status = None
    fake.fail_body = None
    fake.fail_headers = None
    fake.split_frames = False
    fake.scripted = {}
    fake.tool_rounds = 1
    fake.tool_args = tool_arguments()
    fake.call_all_tools = False
    fake.models = list(models)
    fake.reset()


@pytest.fixture
def ollama(running: Running) -> Iterator[FakeOllama]:
    """The session's fake Ollama, recording afresh; every setting a test changes is put back."""
    fake = running.ollama
    models, loaded = list(fake.models), set(fake.loaded)
    fake.reset()
    try:
        yield fake
    finally:
        _restore(fake, models)
        fake.loaded = loaded
        if not fake.running:
            fake.restart()


@pytest.fixture
def openai_upstream(running: Running) -> Iterator[FakeOpenAI]:
    """The session's fake OpenAI-compatible server, recording afresh; settings are put back."""
    fake = running.openai
    models = list(fake.models)
    fake.reset()
    try:
        yield fake
    finally:
        _restore(fake, models)
        if not fake.running:
            fake.restart()


@pytest.fixture
def second_gateway(running: Running) -> Iterator[str]:
    """A second gateway replica on the session stack's services; its URL."""
    port = free_port()
    env = {**running.stack.service_env(), "PORT": str(port)}
    process = subprocess.Popen(
        [sys.executable, "-m", "services.gateway.main"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)


@pytest.fixture(scope="session")
def user(running: Running) -> Account:
    """A verified user (role ``user``), created once per session."""
    account = running.signup("verified-user@example.com", name="Verified User")
    running.promote(account, "user")
    return account


@pytest.fixture(scope="session")
def pending(running: Running) -> Account:
    """A self-signed-up user still ``pending``."""
    return running.signup("pending-user@example.com", name="Pending User")


@pytest.fixture(scope="session")
def other_user(running: Running) -> Account:
    """A second verified user (role ``user``), for what one user must not see of another's."""
    account = running.signup("other-user@example.com", name="Other User")
    running.promote(account, "user")
    return account


# -- files and knowledge (IngestService) -------------------------------------------------------

# Processing waits at most this long; the first file may wait for the embedding model to load.
PROCESSING_DEADLINE_S = 60.0


def verified_user(running: Running, email: str, name: str = "User") -> Account:
    """A fresh user promoted to ``user`` (tests that count files need an account of their own)."""
    account = running.signup(email, name=name)
    running.promote(account, "user")
    return account


def upload(
    url: str,
    account: Account,
    filename: str,
    data: bytes,
    content_type: str | None = None,
    query: str = "",
    metadata: str | None = None,
) -> requests.Response:
    """``POST /api/v1/files/{query}`` with the multipart field ``file`` (and ``metadata``)."""
    file_field = (filename, data, content_type) if content_type else (filename, data)
    form = {"metadata": (None, metadata)} if metadata is not None else {}
    return requests.post(
        f"{url}/api/v1/files/{query}",
        headers=account.headers,
        files={"file": file_field, **form},
        timeout=PROCESSING_DEADLINE_S,
    )


def uploaded(url: str, account: Account, filename: str, data: bytes, **kwargs) -> dict:
    """The reply of a successful upload."""
    reply = upload(url, account, filename, data, **kwargs)
    assert reply.status_code == 200, reply.text
    return reply.json()


def status_events(
    url: str, account: Account, file_id: str, timeout: float = PROCESSING_DEADLINE_S
) -> list[dict]:
    """Every event of ``/process/status?stream=true`` until the server ends the stream."""
    events = []
    with requests.get(
        f"{url}/api/v1/files/{file_id}/process/status?stream=true",
        headers=account.headers,
        stream=True,
        timeout=timeout,
    ) as reply:
        assert reply.status_code == 200, reply.text
        assert reply.headers["Content-Type"] == "text/event-stream; charset=utf-8"
        for line in reply.iter_lines():
            if line.startswith(b"data: "):
                events.append(json.loads(line[6:]))
    return events


def wait_processed(
    url: str, account: Account, file_id: str, deadline_s: float = PROCESSING_DEADLINE_S
) -> dict:
    """Polls ``/process/status`` until completed or failed; returns the file (``GET /files/{id}``)."""
    deadline = time.monotonic() + deadline_s
    while True:
        reply = requests.get(
            f"{url}/api/v1/files/{file_id}/process/status", headers=account.headers, timeout=10
        )
        assert reply.status_code == 200, reply.text
        if reply.json()["status"] in ("completed", "failed"):
            break
        assert time.monotonic() < deadline, f"file {file_id} still {reply.json()['status']}"
        time.sleep(0.1)
    reply = requests.get(f"{url}/api/v1/files/{file_id}", headers=account.headers, timeout=10)
    assert reply.status_code == 200, reply.text
    return reply.json()


def query_collection(url: str, account: Account, names: list[str], query: str, k: int | None = None) -> dict:
    body: dict = {"collection_names": names, "query": query}
    if k is not None:
        body["k"] = k
    reply = requests.post(
        f"{url}/api/v1/retrieval/query/collection", headers=account.headers, json=body, timeout=60
    )
    assert reply.status_code == 200, reply.text
    return reply.json()
