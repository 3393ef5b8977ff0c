"""Starts the auth gRPC service: settings, pool, migrations, core, server, SIGTERM path."""

import logging
from pathlib import Path

import asyncpg

from services.auth.core import AuthCore, AuthPolicy
from services.auth.identity import LocalAuthenticator
from services.auth.passwords import PasswordHasher
from services.auth.postgres_repository import PostgresAuthRepository
from services.auth.secret_key import shared_secret_key
from services.auth.servicer import AuthServicer
from services.auth.settings import AuthSettings
from services.auth.tokens import TokenIssuer
from services.common.authenticators import CachedAuthenticator
from services.common.db import open_pool
from services.common.dependency_health import pool_check
from services.common.entrypoint import run_service
from services.common.grpc_server import GrpcService, serve_until_signal, start_grpc_service
from services.common.metrics import ServiceMetrics, new_registry
from services.common.migrations import apply_migrations
from webui.auth.v1 import auth_pb2, auth_pb2_grpc

log = logging.getLogger(__name__)

SERVICE_NAME = auth_pb2.DESCRIPTOR.services_by_name["AuthService"].full_name
# The RPCs anyone may call: signing up or in, checking a credential, and whether sign-up is open
# (what /api/config shows anonymous callers). Every other one needs the caller's credential.
PUBLIC_METHODS = tuple(
    f"/{SERVICE_NAME}/{name}" for name in ("Signup", "Signin", "Authenticate", "GetAuthStatus")
)
MIGRATIONS = Path(__file__).parent / "migrations"


async def start(settings: AuthSettings) -> tuple[GrpcService, asyncpg.Pool]:
    """Opens the pool, migrates, wires the core and starts serving; the caller stops both."""
    pool = await open_pool(
        settings.database_url,
        min_size=settings.db_pool_min,
        max_size=settings.db_pool_max,
        timeout_s=settings.db_timeout_s,
    )
    await apply_migrations(pool, "auth", MIGRATIONS)
    secret = settings.webui_secret_key or await shared_secret_key(pool, settings.data_dir)
    core = AuthCore(
        repo=PostgresAuthRepository(pool),
        hasher=PasswordHasher(settings.bcrypt_rounds),
        tokens=TokenIssuer(secret, settings.jwt_expires_in_s),
        policy=AuthPolicy(
            enable_signup=settings.enable_signup,
            default_user_role=settings.default_user_role,
            enable_api_keys=settings.enable_api_keys,
            signin_rate_limit=settings.signin_rate_limit,
            signin_rate_window_s=settings.signin_rate_window_s,
            signin_source_rate_limit=settings.signin_source_rate_limit,
        ),
    )
    servicer = AuthServicer(core, trusted_networks=settings.trusted_networks)
    service = await start_grpc_service(
        settings.listen,
        [SERVICE_NAME],
        lambda server: auth_pb2_grpc.add_AuthServiceServicer_to_server(servicer, server),
        ServiceMetrics(new_registry(), settings.metrics_listen),
        tls=settings.grpc_tls,
        authenticator=CachedAuthenticator(LocalAuthenticator(core), settings.auth_cache_ttl_s),
        public_methods=PUBLIC_METHODS,
        max_inflight_rpcs=settings.max_inflight_rpcs,
    )
    service.watch_dependencies({"postgres": pool_check(pool)})
    log.info("auth service listening on port %d", service.port)
    return service, pool


async def run(settings: AuthSettings) -> None:
    service, pool = await start(settings)
    await serve_until_signal(service, settings.shutdown_grace_s, [pool.close])


def main() -> None:
    run_service("auth", AuthSettings, run)


if __name__ == "__main__":
    main()
