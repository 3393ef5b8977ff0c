"""Peak resident memory of gateway, inference and ingest under the hostile-input memory probes.

Starts a stack in a temp DATA_DIR (on an in-process fake Ollama) and sends:

1. four concurrent 25 MB chat bodies of 1.5 M keys each (under the 30 MB body limit), then four of
   one long message each (what large legitimate bodies look like);
2. a 180 KB DOCX whose document.xml holds 60 MB of XML, and a 6 MB text file (over the text cap);
3. with ``--near-limit``, a DOCX just under the XML limit (parsed, then over the text cap), to see
   whether ingest returns the memory afterwards.

Resident memory is sampled every 20 ms; peaks and the value after each probe are printed. Pass
settings to compare, e.g. ``JSON_MAX_VALUES=100000000 RAG_MAX_ARCHIVE_XML_BYTES=1000000000`` for
the behaviour without the limits:

    python bench/memory_probes.py [--clients 4] [--near-limit] [NAME=VALUE ...]
"""

import argparse
import io
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import docx
import psutil
import requests

from services.common.infra import free_port
from services.stack import Stack, StackConfig
from tests.fakes.ollama import FakeOllama

MODEL = "llama3.2:latest"
PARAGRAPH = b"<w:p><w:r><w:t>lorem ipsum dolor</w:t></w:r></w:p>"
SERVICES = ("gateway", "inference", "ingest")


def many_keys_body(keys: int = 1_500_000) -> bytes:
    """A chat body of about 17 bytes a key: 25 MB for the probe's 1.5 M keys."""
    head = b'{"model":"%s","stream":false,"messages":[{"role":"user","content":"hi"}],' % MODEL.encode()
    return head + b",".join(b'"key%010d":1' % i for i in range(keys)) + b"}"


def long_message_body(size: int = 25 * 2**20) -> bytes:
    """A chat body of one long message: what a large legitimate body looks like."""
    return b'{"model":"%s","stream":false,"messages":[{"role":"user","content":"%s"}]}' % (
        MODEL.encode(),
        b"lorem ipsum, " * (size // 13),
    )


def docx_bomb(xml_bytes: int) -> bytes:
    """A valid DOCX whose document.xml is ``xml_bytes`` of one paragraph repeated (~300:1)."""
    plain = io.BytesIO()
    docx.Document().save(plain)
    source = zipfile.ZipFile(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for name in source.namelist():
            data = source.read(name)
            if name == "word/document.xml":
                head, tail = data.split(b"<w:body>")
                data = head + b"<w:body>" + PARAGRAPH * (xml_bytes // len(PARAGRAPH)) + tail
            bomb.writestr(name, data)
    return out.getvalue()


class RssSampler:
    """The highest resident memory (MB) each process reaches while the sampler runs."""

    def __init__(self, pids: dict[str, int], interval_s: float = 0.02) -> None:
        self._processes = {name: psutil.Process(pid) for name, pid in pids.items()}
        self.peak_mb = self.now_mb()
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def now_mb(self) -> dict[str, float]:
        return {name: process.memory_info().rss / 2**20 for name, process in self._processes.items()}

    def _run(self) -> None:
        while not self._stop.wait(self._interval_s):
            for name, rss in self.now_mb().items():
                self.peak_mb[name] = max(self.peak_mb[name], rss)

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def chat_probe(url: str, token: str, body: bytes, clients: int = 4) -> list[tuple[int, str]]:
    """``clients`` concurrent ``POST /api/chat/completions`` of ``body``: (status, text) of each."""

    def post(_: int) -> tuple[int, str]:
        reply = requests.post(
            f"{url}/api/chat/completions",
            data=body,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            timeout=120,
        )
        return reply.status_code, reply.text[:200]

    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(post, range(clients)))


def upload_and_wait(url: str, token: str, filename: str, data: bytes, deadline_s: float = 300) -> dict:
    """Uploads a file and waits until it is processed; the file's ``data`` (status, error)."""
    headers = {"Authorization": f"Bearer {token}"}
    reply = requests.post(
        f"{url}/api/v1/files/", headers=headers, files={"file": (filename, data)}, timeout=60
    )
    reply.raise_for_status()
    file_id = reply.json()["id"]
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        status = requests.get(f"{url}/api/v1/files/{file_id}/process/status", headers=headers, timeout=10)
        if status.json()["status"] in ("completed", "failed"):
            break
        time.sleep(0.2)
    return requests.get(f"{url}/api/v1/files/{file_id}", headers=headers, timeout=10).json()["data"]


def _report(label: str, sampler: RssSampler, before: dict[str, float], outcome: object) -> None:
    after = sampler.now_mb()
    print(f"\n{label}: {outcome}")
    for name in sampler.peak_mb:
        peak = sampler.peak_mb[name]
        print(f"  {name:9} before {before[name]:6.0f} MB  peak {peak:6.0f} MB  after {after[name]:6.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--near-limit", action="store_true", help="also a DOCX just under the XML limit")
    parser.add_argument("--clients", type=int, default=4, help="concurrent chat bodies of each kind")
    parser.add_argument("env", nargs="*", help="NAME=VALUE settings for the stack")
    args = parser.parse_args()
    env = dict(item.split("=", 1) for item in args.env)
    with FakeOllama() as ollama, tempfile.TemporaryDirectory() as data_dir:
        config = StackConfig(
            data_dir=Path(data_dir),
            port=free_port(),
            durable=False,
            env={"BCRYPT_ROUNDS": "4", "EMBEDDING_PRELOAD": "false", "OLLAMA_BASE_URLS": ollama.url, **env},
            log_dir=Path(data_dir) / "logs",
        )
        stack = Stack(config)
        stack.start()
        try:
            url = stack.gateway_url
            signup = {"name": "Admin", "email": "admin@example.com", "password": "admin password"}
            token = requests.post(f"{url}/api/v1/auths/signup", json=signup, timeout=10).json()["token"]
            pids = {name: stack.processes[name].pid for name in SERVICES}
            body = many_keys_body()
            probes = [
                (
                    f"{args.clients} x 25 MB chat bodies, 1.5 M keys",
                    lambda: chat_probe(url, token, body, args.clients),
                ),
                (
                    f"{args.clients} x 25 MB chat bodies, one long message",
                    lambda: chat_probe(url, token, long_message_body(), args.clients),
                ),
                (
                    "DOCX, 180 KB holding 60 MB of XML",
                    lambda: upload_and_wait(url, token, "bomb.docx", docx_bomb(60 << 20)),
                ),
                (
                    "6 MB text file",
                    lambda: upload_and_wait(url, token, "big.txt", b"word " * (6 * 2**20 // 5)),
                ),
            ]
            if args.near_limit:
                near = docx_bomb(31 << 20)
                probes.append(("DOCX, 31 MB of XML", lambda: upload_and_wait(url, token, "near.docx", near)))
            print(f"chat body {len(body) / 2**20:.1f} MB; settings {env or 'defaults'}")
            for label, probe in probes:
                with RssSampler(pids) as sampler:
                    before = sampler.now_mb()
                    outcome = probe()
                    time.sleep(1)
                _report(label, sampler, before, outcome)
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
