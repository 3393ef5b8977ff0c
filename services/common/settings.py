"""Typed settings from the environment, shared fields and the fail-fast loader."""

import re
import sys
from pathlib import Path
from typing import Self, TypeVar

from pydantic import Field, PrivateAttr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.common.grpc_tls import GrpcTls

_DURATION = re.compile(r"^(-1|0|(-?\d+(\.\d+)?)(ms|s|m|h|d|w))$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: str) -> float | None:
    """Open WebUI's duration syntax (``4w``, ``30m``, ``-1``) in seconds; None means no expiry."""
    text = value.strip()
    if not _DURATION.match(text):
        raise ValueError(f"invalid duration {value!r} (expected e.g. 4w, 12h, 30m, -1)")
    if text in ("-1", "0"):
        return None
    match = re.match(r"^(-?\d+(?:\.\d+)?)(ms|s|m|h|d|w)$", text)
    assert match is not None
    seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    return None if seconds <= 0 else seconds


class CommonSettings(BaseSettings):
    """Fields every service reads."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", frozen=True)

    data_dir: Path = Field(default=Path("./data"), alias="DATA_DIR")
    log_level: str = Field(default="INFO", alias="LOG_LEVEL", pattern="(?i)^(debug|info|warning|error)$")
    log_format: str = Field(default="json", alias="LOG_FORMAT", pattern="^(json|text)$")
    # Mutual TLS on every gRPC server and client: PEM files, all three or none (none: plaintext).
    grpc_tls_cert: str = Field(default="", alias="GRPC_TLS_CERT")
    grpc_tls_key: str = Field(default="", alias="GRPC_TLS_KEY")
    grpc_tls_ca: str = Field(default="", alias="GRPC_TLS_CA")
    _grpc_tls: GrpcTls | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _load_grpc_tls(self) -> Self:
        # Read here, so that a missing or unreadable file stops the process at start with its name.
        self._grpc_tls = GrpcTls.from_files(self.grpc_tls_cert, self.grpc_tls_key, self.grpc_tls_ca)
        return self

    @property
    def grpc_tls(self) -> GrpcTls | None:
        """The gRPC certificates, read once at start; None means plaintext gRPC."""
        return self._grpc_tls


class ServiceSettings(CommonSettings):
    """Fields of a gRPC service backed by Postgres."""

    database_url: str = Field(alias="DATABASE_URL", min_length=1)
    db_pool_min: int = Field(default=1, alias="DB_POOL_MIN", ge=0)
    db_pool_max: int = Field(default=10, alias="DB_POOL_MAX", ge=1)
    db_timeout_s: float = Field(default=10.0, alias="DB_TIMEOUT_S", gt=0)
    # Seconds from start during which this service waits for a database and NATS that its launcher
    # is still setting up (services/stack.py starts the services alongside them): a refused
    # PostgreSQL login is retried within it. 0: not started that way; a refused login fails at once.
    startup_wait_s: float = Field(default=0.0, alias="STARTUP_WAIT_S", ge=0, le=600)
    shutdown_grace_s: float = Field(default=10.0, alias="SHUTDOWN_GRACE_S", ge=0)
    # Where every service resolves its callers' credentials, and for how long an answer is reused:
    # the bound on how late a revocation made elsewhere bites (the gateway keeps the same one).
    auth_target: str = Field(default="127.0.0.1:50051", alias="AUTH_GRPC_TARGET", min_length=1)
    auth_timeout_s: float = Field(default=5.0, alias="AUTH_GRPC_TIMEOUT_S", gt=0)
    auth_cache_ttl_s: float = Field(default=2.0, alias="AUTH_CACHE_TTL_S", ge=0, le=5)
    # Prometheus `/metrics` of this process as "host:port" (e.g. 0.0.0.0:9090); empty: not served.
    metrics_listen: str = Field(default="", alias="METRICS_LISTEN", pattern=r"^(|\[?[\w.:-]*\]?:\d{1,5})$")
    # Calls in flight past which a new one is refused at once (UNAVAILABLE), rather than queued
    # without bound; health checks and reflection are exempt. 0: no limit.
    max_inflight_rpcs: int = Field(default=256, alias="MAX_INFLIGHT_RPCS", ge=0)


S = TypeVar("S", bound=BaseSettings)


def describe_error(error: ValidationError) -> str:
    """One line naming each bad or missing variable."""
    parts = []
    for item in error.errors():
        name = ".".join(str(p) for p in item["loc"]) or "settings"
        if item["type"] == "missing":
            parts.append(f"{name} is required")
        elif not item["loc"] and item["type"] == "value_error":
            # A check across fields: its message names the variables itself.
            parts.append(str(item["ctx"]["error"]))
        else:
            parts.append(f"{name}: {item['msg']}")
    return "; ".join(parts)


def load_settings(cls: type[S], service: str) -> S:
    """Builds ``cls`` from the environment or stops the process with a one-line message."""
    try:
        return cls()
    except ValidationError as error:
        print(f"{service}: invalid configuration: {describe_error(error)}", file=sys.stderr)
        raise SystemExit(2) from None
