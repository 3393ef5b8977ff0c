"""Secret files of the embedded servers, and the SCRAM verifier handed to PostgreSQL."""

import base64
import hashlib
import hmac
import stat
from pathlib import Path

from services.common.local_secrets import read_or_create_secret, write_private_file
from services.common.postgres_auth import scram_sha256_verifier


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_secret_is_created_once_owner_only_and_url_safe(tmp_path: Path) -> None:
    path = tmp_path / "deeper" / "server.token"
    secret, created = read_or_create_secret(path)
    assert created
    assert mode(path) == 0o600
    assert len(secret) >= 40 and secret.replace("-", "").replace("_", "").isalnum()
    assert read_or_create_secret(path) == (secret, False)
    assert [p.name for p in path.parent.iterdir()] == ["server.token"]


def test_a_readable_secret_file_is_made_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "server.password"
    path.write_text("kept\n")
    path.chmod(0o644)
    assert read_or_create_secret(path) == ("kept", False)
    assert mode(path) == 0o600


def test_an_empty_secret_file_gets_a_secret(tmp_path: Path) -> None:
    path = tmp_path / "server.password"
    path.write_text("")
    secret, created = read_or_create_secret(path)
    assert created and secret
    assert path.read_text().strip() == secret


def test_write_private_file_replaces_and_stays_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "nats-server.conf"
    path.write_text("old")
    path.chmod(0o644)
    write_private_file(path, "new")
    assert path.read_text() == "new"
    assert mode(path) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["nats-server.conf"]


def test_scram_verifier_proves_the_password() -> None:
    verifier = scram_sha256_verifier("s3cret")
    method, rest = verifier.split("$", 1)
    params, keys = rest.split("$")
    iterations, salt = params.split(":")
    stored_key, server_key = (base64.b64decode(k) for k in keys.split(":"))
    assert method == "SCRAM-SHA-256" and int(iterations) >= 4096
    salted = hashlib.pbkdf2_hmac("sha256", b"s3cret", base64.b64decode(salt), int(iterations))
    assert stored_key == hashlib.sha256(hmac.digest(salted, b"Client Key", "sha256")).digest()
    assert server_key == hmac.digest(salted, b"Server Key", "sha256")
    assert scram_sha256_verifier("s3cret") != verifier  # a fresh salt each time
