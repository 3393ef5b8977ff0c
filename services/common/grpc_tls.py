"""Mutual TLS for the gRPC hops: the PEM files named by GRPC_TLS_* and the credentials built from them."""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import grpc

CERT_ENV, KEY_ENV, CA_ENV = "GRPC_TLS_CERT", "GRPC_TLS_KEY", "GRPC_TLS_CA"


def _read_pem(name: str, path: str) -> bytes:
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise ValueError(f"{name}: cannot read {path} ({error.strerror or error})") from None
    if b"-----BEGIN " not in data:
        # gRPC would only fail at the first handshake, with a far less telling message.
        raise ValueError(f"{name}: {path} is not a PEM file")
    return data


@dataclass(frozen=True, repr=False)
class GrpcTls:
    """This process's certificate chain and private key, and the CA every peer's certificate must
    chain to. One certificate serves both ends: servers demand a client certificate from the same CA."""

    cert: bytes
    key: bytes
    ca: bytes

    def __repr__(self) -> str:
        # Never the key's bytes in a log line or a traceback.
        return "GrpcTls(...)"

    @classmethod
    def from_files(cls, cert: str = "", key: str = "", ca: str = "") -> "GrpcTls | None":
        """None when all three paths are empty (plaintext gRPC); ValueError unless all three are set and
        name readable PEM files."""
        paths = {CERT_ENV: cert, KEY_ENV: key, CA_ENV: ca}
        if not any(paths.values()):
            return None
        missing = [name for name, path in paths.items() if not path]
        if missing:
            raise ValueError(
                f"{', '.join(missing)} must be set too: gRPC TLS needs {CERT_ENV}, {KEY_ENV} and {CA_ENV}"
            )
        return cls(*(_read_pem(name, path) for name, path in paths.items()))

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "GrpcTls | None":
        """The same from environment variables (for processes that load no settings class)."""
        return cls.from_files(env.get(CERT_ENV, ""), env.get(KEY_ENV, ""), env.get(CA_ENV, ""))

    def server_credentials(self) -> grpc.ServerCredentials:
        return grpc.ssl_server_credentials(
            [(self.key, self.cert)], root_certificates=self.ca, require_client_auth=True
        )

    def channel_credentials(self) -> grpc.ChannelCredentials:
        return grpc.ssl_channel_credentials(
            root_certificates=self.ca, private_key=self.key, certificate_chain=self.cert
        )


_PROBE_OPTIONS = (("grpc.initial_reconnect_backoff_ms", 100), ("grpc.max_reconnect_backoff_ms", 100))


def blocking_channel(target: str, tls: GrpcTls | None) -> grpc.Channel:
    """A synchronous channel for probes (the container health check, the stack's start-up wait):
    plaintext without ``tls``, mutual TLS with it. A probe polls a server that may still be starting:
    reconnects are tried every 0.1 s, not after gRPC's default backoff (1 s, growing)."""
    if tls is None:
        return grpc.insecure_channel(target, options=_PROBE_OPTIONS)
    return grpc.secure_channel(target, tls.channel_credentials(), options=_PROBE_OPTIONS)
