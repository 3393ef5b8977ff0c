"""The Python example of docs/grpc.md, run as a newcomer would run it, against the session's stack."""

import os
import re
import subprocess
import sys
from pathlib import Path

import requests

from services.stack import grpc_target
from tests.e2e.conftest import ADMIN_PASSWORD, Running

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "grpc.md"


def python_example() -> str:
    blocks = re.findall(r"```python\n(.*?)```", GUIDE.read_text(), flags=re.S)
    assert len(blocks) == 1, "docs/grpc.md has one Python example"
    return blocks[0]


def test_the_guide_example_runs(running: Running, tmp_path: Path) -> None:
    upload = requests.post(
        f"{running.url}/api/v1/files/",
        params={"process": "true", "process_in_background": "false"},
        files={"file": ("guide.txt", b"The guide's example searches this sentence about lighthouses.")},
        headers=running.admin.headers,
        timeout=120,
    )
    assert upload.status_code == 200, upload.text
    script = tmp_path / "example.py"
    script.write_text(python_example())
    ports = running.stack.grpc_ports
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(Path(__file__).resolve().parents[2] / p) for p in (".", "gen")),
        "AUTH_GRPC_TARGET": grpc_target([ports["auth"]]),
        "INGEST_GRPC_TARGET": grpc_target([ports["ingest"]]),
        "INFERENCE_GRPC_TARGET": grpc_target([ports["inference"]]),
        "EMAIL": running.admin.email,
        "PASSWORD": ADMIN_PASSWORD,
    }
    result = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "file " in out and "hit " in out and "lighthouses" in out, out
    assert "models " in out
    assert "without a credential: UNAUTHENTICATED" in out
