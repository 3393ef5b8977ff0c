"""docker-compose.yml, the Dockerfile and .dockerignore agree with each other and with the code: services,
images, commands, ports, dependencies, volumes, and every environment variable a real setting.

No Docker engine is needed: the files are parsed (compose with pyyaml, the Dockerfile by instruction)
and linted with hadolint."""

import fnmatch
import importlib
import inspect
import json
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from pydantic_settings import BaseSettings

from services import __main__ as services_main
from services import healthcheck

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("auth", "inference", "ingest", "gateway")
IMAGE = "webui-platform:0.1.0"
GRPC_PORTS = {"auth": 50051, "inference": 50052, "ingest": 50053}
LISTEN_VARS = {name: f"{name.upper()}_GRPC_LISTEN" for name in GRPC_PORTS}
TARGET_VARS = {name: f"{name.upper()}_GRPC_TARGET" for name in GRPC_PORTS}
GATEWAY_PORT = 8080
METRICS_PORT = 9090
# Who waits for whom to be healthy.
DEPENDENCIES = {
    "postgres": set(),
    "nats": set(),
    "auth": {"postgres"},
    "ingest": {"postgres", "nats", "auth"},
    "inference": {"postgres", "auth", "ingest"},
    "gateway": {"auth", "inference", "ingest"},
}
# Variables of the image that are not settings of ours (Python, the venv, Hugging Face's libraries).
NON_SETTING_ENV = re.compile(r"^(PATH|VIRTUAL_ENV|HOME|PYTHON\w*|HF_\w+|TRANSFORMERS_\w+|MALLOC_\w+)$")
_INTERPOLATION = re.compile(r"\$\{(\w+)(?::?-([^}]*))?\}")


def interpolate(value: object) -> str:
    """A compose value as `docker compose` sees it with none of the variables set: the defaults."""
    return _INTERPOLATION.sub(lambda m: m.group(2) or "", str(value)).replace("$$", "$")


@cache
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def service(name: str) -> dict:
    return compose()["services"][name]


def environment(name: str) -> dict[str, str]:
    env = service(name).get("environment", {})
    assert isinstance(env, dict), f"{name}: environment must be a mapping"
    return {key: interpolate(value) for key, value in env.items()}


def host_port(address: str) -> tuple[str, int]:
    """``host:port``, ``dns:///host:port`` -> (host, port)."""
    address = address.removeprefix("dns:///")
    host, _, port = address.rpartition(":")
    return host, int(port)


@cache
def settings_class(name: str) -> type[BaseSettings]:
    module = importlib.import_module(f"services.{name}.settings")
    classes = [
        cls
        for cls in vars(module).values()
        if inspect.isclass(cls) and issubclass(cls, BaseSettings) and cls.__module__ == module.__name__
    ]
    assert len(classes) == 1, f"services.{name}.settings: expected one settings class, found {classes}"
    return classes[0]


def aliases(cls: type[BaseSettings]) -> set[str]:
    return {(field.alias or field_name).upper() for field_name, field in cls.model_fields.items()}


# --------------------------------------------------------------------------------------------- compose


def test_compose_has_every_service_with_its_image_and_command():
    assert set(compose()["services"]) == set(DEPENDENCIES)
    for name in APP_SERVICES:
        spec = service(name)
        assert spec["image"] == IMAGE, name
        assert spec["build"] == ".", name
        assert spec["command"] == [name], name
        assert name in services_main.SERVICES
    for name, repository in (("postgres", "postgres"), ("nats", "nats")):
        image = service(name)["image"]
        repo, _, tag = image.partition(":")
        assert repo == repository
        assert re.match(r"^\d+\.\d+", tag), f"{name}: pin a version, not {image!r}"


def test_only_the_gateway_is_published_on_3000_to_8080():
    for name in DEPENDENCIES:
        ports = [interpolate(port) for port in service(name).get("ports", [])]
        assert ports == (["3000:8080"] if name == "gateway" else []), name
    assert int(environment("gateway")["PORT"]) == GATEWAY_PORT
    assert environment("gateway")["HOST"] == "0.0.0.0"


def test_each_service_waits_for_what_it_needs_healthy():
    for name, needs in DEPENDENCIES.items():
        depends_on = service(name).get("depends_on", {})
        assert set(depends_on) == needs, name
        for dependency, condition in depends_on.items():
            assert condition == {"condition": "service_healthy"}, f"{name} -> {dependency}"
            assert "healthcheck" in service(dependency), f"{dependency} has no healthcheck"


def test_every_service_has_a_healthcheck_on_its_own_port():
    for name in DEPENDENCIES:
        check = service(name)["healthcheck"]
        assert check["test"][0] == "CMD", name
        for key in ("interval", "timeout", "retries"):
            assert key in check, f"{name}: healthcheck.{key}"
    for name, port in GRPC_PORTS.items():
        assert service(name)["healthcheck"]["test"] == [
            "CMD",
            "python",
            "-m",
            "services.healthcheck",
            f"127.0.0.1:{port}",
        ]
    test = service("gateway")["healthcheck"]["test"]
    assert test[:4] == ["CMD", "python", "-m", "services.healthcheck"]
    url = urlsplit(test[4])
    assert (url.port, url.path) == (GATEWAY_PORT, "/ready")
    assert service("postgres")["healthcheck"]["test"][1] == "pg_isready"


def test_postgres_and_nats_keep_their_data_on_named_volumes():
    declared = set(compose()["volumes"])
    mounts = {}
    for name in ("postgres", "nats"):
        (mount,) = service(name)["volumes"]
        volume, _, target = mount.partition(":")
        assert volume in declared, f"{name}: {volume} is not a named volume"
        mounts[name] = target
    # PostgreSQL 18 images keep PGDATA under /var/lib/postgresql/18/: the volume is the parent.
    assert mounts["postgres"] == "/var/lib/postgresql"
    command = service("nats")["command"]
    store_flag = "--store_dir" if "--store_dir" in command else "-sd"
    assert command[command.index(store_flag) + 1] == mounts["nats"]


def test_nats_runs_jetstream_with_a_monitoring_health_check():
    command = service("nats")["command"]
    assert "--jetstream" in command or "-js" in command
    monitor_flag = "--http_port" if "--http_port" in command else "-m"
    monitor_port = int(command[command.index(monitor_flag) + 1])
    url = urlsplit(service("nats")["healthcheck"]["test"][-1])
    assert (url.port, url.path) == (monitor_port, "/healthz")
    assert "js-enabled-only=true" in url.query


def test_app_services_are_read_only_with_tmpfs_and_no_volumes():
    for name in APP_SERVICES:
        spec = service(name)
        assert spec["read_only"] is True, name
        assert {"/tmp", "/data"} <= set(spec["tmpfs"]), name
        # Ingest's files live in PostgreSQL (docs/architecture.md, "An upload"): no volume anywhere.
        assert "volumes" not in spec, name
        # Longer than the services' SHUTDOWN_GRACE_S default, so streams finish before SIGKILL.
        assert int(spec["stop_grace_period"].removesuffix("s")) > 10, name


@pytest.mark.parametrize("name", APP_SERVICES)
def test_every_environment_variable_is_a_setting_of_that_service(name):
    cls = settings_class(name)
    env = environment(name)
    unknown = set(env) - aliases(cls)
    assert not unknown, f"{name}: {sorted(unknown)} are not settings of {cls.__name__}"
    # And the defaults validate (booleans, roles, URLs), as the service would load them.
    cls.model_validate(env)


def test_listen_and_target_addresses_agree_with_the_ports():
    for name, port in GRPC_PORTS.items():
        env = environment(name)
        assert host_port(env[LISTEN_VARS[name]]) == ("0.0.0.0", port), name
        assert host_port(env["METRICS_LISTEN"]) == ("0.0.0.0", METRICS_PORT), name
    clients = {"gateway": ("auth", "inference", "ingest"), "inference": ("ingest",)}
    for client, backends in clients.items():
        env = environment(client)
        for backend in backends:
            assert host_port(env[TARGET_VARS[backend]]) == (backend, GRPC_PORTS[backend]), client
            assert backend in service(client)["depends_on"], f"{client} calls {backend}"
    postgres = environment("postgres")
    for name in ("auth", "inference", "ingest"):
        url = urlsplit(environment(name)["DATABASE_URL"])
        assert (url.scheme, url.hostname, url.port) == ("postgresql", "postgres", 5432), name
        assert url.username == postgres["POSTGRES_USER"], name
        assert url.password == postgres["POSTGRES_PASSWORD"], name
        assert url.path == "/" + postgres["POSTGRES_DB"], name
    url = urlsplit(environment("ingest")["NATS_URL"])
    assert (url.scheme, url.hostname, url.port) == ("nats", "nats", 4222)


def test_nats_requires_the_token_that_ingest_presents():
    command = service("nats")["command"]
    (mount,) = service("nats")["configs"]
    assert mount["target"] == command[command.index("--config") + 1]
    content = interpolate(compose()["configs"][mount["source"]]["content"])
    match = re.fullmatch(r'authorization \{ token: "([\w-]+)" \}\n', content)
    assert match, content
    assert urlsplit(environment("ingest")["NATS_URL"]).username == match.group(1)


# ------------------------------------------------------------------------------------------ Dockerfile


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comment lines dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        keyword, _, arguments = (pending + stripped).partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def stages() -> list[list[tuple[str, str]]]:
    result: list[list[tuple[str, str]]] = []
    for instruction in dockerfile_instructions():
        if instruction[0] == "FROM":
            result.append([])
        if result:
            result[-1].append(instruction)
    return result


def env_of(stage: list[tuple[str, str]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for keyword, arguments in stage:
        if keyword == "ENV":
            for item in arguments.split():
                key, _, value = item.partition("=")
                env[key] = value
    return env


def test_dockerfile_passes_hadolint():
    hadolint = Path(sys.executable).parent / "hadolint"
    result = subprocess.run(
        [str(hadolint), "--no-color", "Dockerfile"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_builds_in_stages_on_one_base_image():
    all_stages = stages()
    assert len(all_stages) >= 2
    bases = {stage[0][1].split()[0] for stage in all_stages}
    assert bases == {"${PYTHON_IMAGE}"}, "the venv's python links to the base image's: use one base"
    (default,) = re.findall(r"^ARG PYTHON_IMAGE=(\S+)$", (ROOT / "Dockerfile").read_text(), re.M)
    assert re.match(r"^python:3\.11\.\d+-slim", default), default
    runtime = all_stages[-1]
    assert ("COPY", "--from=builder /opt/venv /opt/venv") in runtime


def test_builder_installs_cpu_torch_and_checks_the_model_offline():
    builder = stages()[0]
    runs = [arguments for keyword, arguments in builder if keyword == "RUN"]
    text = "\n".join(runs)
    assert "download.pytorch.org/whl/cpu" in "\n".join(a for _, a in builder)
    assert "torch==2.13.0" in text
    assert "torch.version.cuda is not None" in text
    # Runtime dependencies only: pyproject's [project].dependencies, never the dev extras.
    assert "['project']['dependencies']" in text and "[dev]" not in text
    (check,) = [run for run in runs if "Embedder" in run]
    assert check.startswith("--network=none ")
    assert "HF_HUB_OFFLINE=1" in check and "TRANSFORMERS_OFFLINE=1" in check
    assert ("COPY", "services/ingest/embedder.py ./embedder.py") in builder


def test_runtime_stage_runs_as_a_non_root_user_with_the_planned_entrypoint():
    runtime = stages()[-1]
    users = [arguments for keyword, arguments in runtime if keyword == "USER"]
    assert users, "the final stage sets no USER"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) == 10001
    last = {keyword: arguments for keyword, arguments in runtime}
    assert json.loads(last["ENTRYPOINT"]) == ["python", "-m", "services"]
    assert json.loads(last["CMD"]) == ["gateway"]
    exposed = {int(port) for port in last["EXPOSE"].split()}
    assert exposed == {GATEWAY_PORT, METRICS_PORT, *GRPC_PORTS.values()}
    assert any(keyword == "RUN" and "compileall" in arguments for keyword, arguments in runtime)


def test_runtime_environment_is_offline_and_production():
    env = env_of(stages()[-1])
    expected = {
        "ENV": "prod",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "DATA_DIR": "/data",
        "HOME": "/tmp",
        "PYTHONPATH": "/app:/app/gen",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
    }
    assert {key: env.get(key) for key in expected} == expected
    settings = set().union(*(aliases(settings_class(name)) for name in APP_SERVICES))
    unknown = {key for key in env if not NON_SETTING_ENV.match(key)} - settings
    assert not unknown, f"the image sets {sorted(unknown)}, which no service reads"
    for name, port in GRPC_PORTS.items():
        assert host_port(env[LISTEN_VARS[name]]) == ("0.0.0.0", port)


def dockerignore_excludes(path: str) -> bool:
    """Docker's rule: the last pattern that matches the path or a parent of it decides."""
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    parts = path.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        pattern = pattern.removeprefix("!").rstrip("/")
        if pattern.startswith("**/"):
            hit = any(fnmatch.fnmatch(part, pattern[3:]) for part in parts)
        else:
            hit = any(fnmatch.fnmatch(candidate, pattern) for candidate in candidates)
        if hit:
            excluded = not negated
    return excluded


def test_dockerignore_sends_what_the_dockerfile_copies_and_nothing_heavy():
    copied = []
    for keyword, arguments in dockerfile_instructions():
        if keyword == "COPY" and not arguments.startswith("--from"):
            copied.extend(arguments.split()[:-1])
    assert copied
    for source in copied:
        assert (ROOT / source).exists(), source
        assert not dockerignore_excludes(source), f"{source} is copied but .dockerignore excludes it"
    assert not dockerignore_excludes("services/gateway/app.py")
    assert not dockerignore_excludes("services/auth/migrations/0001.sql")
    for path in (".venv", "data", ".git", "tests", "bench", "deploy", "services/__pycache__/x.pyc"):
        assert dockerignore_excludes(path), path


# ------------------------------------------------------------------------------ entry point and probe


def test_python_m_services_rejects_a_bad_or_missing_name():
    for args in (["nope"], []):
        result = subprocess.run(
            [sys.executable, "-m", "services", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode == 2, args
        assert "usage: python -m services {auth|inference|ingest|gateway}" in result.stderr


def test_each_service_name_maps_to_a_module_with_main():
    assert set(services_main.SERVICES) == set(APP_SERVICES)
    for name in APP_SERVICES:
        module = importlib.import_module(f"services.{name}.main")
        assert callable(module.main), name


def test_healthcheck_needs_one_target():
    assert healthcheck.main([]) == 2
    assert healthcheck.main(["a:1", "b", "c"]) == 2
    assert healthcheck.main(["http://a:1/ready", "b"]) == 2
