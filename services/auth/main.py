"""Starts the auth gRPC service: settings, pool, migrations, core, server, SIGTERM path."""

import logging
from pathlib import Path

import asyncpg

from services.auth.admin_config import AdminConfigCore, LivePolicy, environment_defaults
from services.auth.admin_config_repository import PostgresAdminConfigStore
from services.auth.admin_config_servicer import AdminConfigServicer
from services.auth.api_keys_core import ApiKeysCore
from services.auth.api_keys_servicer import ApiKeysServicer
from services.auth.core import AuthCore, AuthPolicy
from services.auth.groups import GroupsCore
from services.auth.groups_repository import PostgresGroupsRepository
from services.auth.groups_servicer import GroupsServicer
from services.auth.identity import LocalAuthenticator
from services.auth.passwords import PasswordHasher
from services.auth.postgres_api_keys import PostgresApiKeyRepository
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
from webui.auth.v1 import (
    admin_config_pb2,
    admin_config_pb2_grpc,
    api_keys_pb2,
    api_keys_pb2_grpc,
    auth_pb2,
    auth_pb2_grpc,
    groups_pb2,
    groups_pb2_grpc,
)

log = logging.getLogger(__name__)

SERVICE_NAME = auth_pb2.DESCRIPTOR.services_by_name["AuthService"].full_name
API_KEYS_SERVICE = api_keys_pb2.DESCRIPTOR.services_by_name["ApiKeysService"].full_name
GROUPS_SERVICE = groups_pb2.DESCRIPTOR.services_by_name["GroupsService"].full_name
ADMIN_CONFIG_SERVICE = admin_config_pb2.DESCRIPTOR.services_by_name["AdminConfigService"].full_name
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
        startup_wait_s=settings.startup_wait_s,
    )
    await apply_migrations(pool, "auth", MIGRATIONS)
    secret = settings.webui_secret_key or await shared_secret_key(pool, settings.data_dir)
    base_policy = AuthPolicy(
        enable_signup=settings.enable_signup,
        default_user_role=settings.default_user_role,
        enable_api_keys=settings.enable_api_keys,
        signin_rate_limit=settings.signin_rate_limit,
        signin_rate_window_s=settings.signin_rate_window_s,
        signin_source_rate_limit=settings.signin_source_rate_limit,
    )
    # Environment values are the defaults; what an admin stored overrides them on every replica.
    admin_config = AdminConfigCore(
        PostgresAdminConfigStore(pool),
        environment_defaults(
            settings,
            settings.enable_signup,
            settings.default_user_role,
            settings.enable_api_keys,
            settings.jwt_expires_in,
        ),
        settings.admin_config_cache_ttl_s,
    )

    async def api_keys_enabled() -> bool:
        return bool((await admin_config.current())["ENABLE_API_KEYS"])

    groups = GroupsCore(
        PostgresGroupsRepository(pool),
        builtin=settings.permission_defaults(settings.enable_api_keys),
        default_share=settings.default_group_share_permission,
        # features.api_keys follows the live ENABLE_API_KEYS (admin config, cached ≤ 2 s).
        api_keys_enabled=api_keys_enabled,
    )
    core = AuthCore(
        repo=PostgresAuthRepository(pool),
        hasher=PasswordHasher(settings.bcrypt_rounds),
        tokens=TokenIssuer(secret, settings.jwt_expires_in_s),
        policy=base_policy,
        access=groups.access_of,
        # The admin config's live values (sign-up, default role and group, API keys, JWT lifetime).
        live_policy=LivePolicy(base_policy, admin_config),
        join_group=lambda group_id, user_id: PostgresGroupsRepository(pool).add_members(group_id, [user_id]),
    )
    servicer = AuthServicer(core, trusted_networks=settings.trusted_networks, admin_config=admin_config)
    admin_config_servicer = AdminConfigServicer(admin_config)
    api_keys = ApiKeysServicer(ApiKeysCore(PostgresApiKeyRepository(pool), api_keys_enabled))

    groups_servicer = GroupsServicer(groups, core)

    def register_api_keys(server) -> None:
        api_keys_pb2_grpc.add_ApiKeysServiceServicer_to_server(api_keys, server)

    def register_groups(server) -> None:
        groups_pb2_grpc.add_GroupsServiceServicer_to_server(groups_servicer, server)

    def register_admin_config(server) -> None:
        admin_config_pb2_grpc.add_AdminConfigServiceServicer_to_server(admin_config_servicer, server)

    service = await start_grpc_service(
        settings.listen,
        [SERVICE_NAME, API_KEYS_SERVICE, GROUPS_SERVICE, ADMIN_CONFIG_SERVICE],
        lambda server: (
            auth_pb2_grpc.add_AuthServiceServicer_to_server(servicer, server),
            register_api_keys(server),
            register_groups(server),
            register_admin_config(server),
        ),
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
