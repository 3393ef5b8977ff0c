"""AdminConfigService on two real auth replicas over one PostgreSQL: admin only, the shared model's
validation, stored values over the environment, and a change seen by the other replica in time."""

import asyncio
import json
import time
from collections.abc import Callable

import grpc
import pytest

from services.common import messages
from tests.integration.accounts import create_accounts
from webui.auth.v1 import admin_config_pb2, admin_config_pb2_grpc, auth_pb2

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


async def _replica(start_auth: Callable, **env: object):
    stub, channel, _ = await start_auth(**env)
    return stub, admin_config_pb2_grpc.AdminConfigServiceStub(channel)


async def test_two_replicas_share_the_stored_config(start_auth: Callable) -> None:
    # The environment gives the defaults (both replicas start with the same one).
    auth_a, config_a = await _replica(start_auth, ENABLE_FOLDERS="false", ADMIN_CONFIG_CACHE_TTL_S=1)
    auth_b, _ = await _replica(start_auth, ENABLE_FOLDERS="false", ADMIN_CONFIG_CACHE_TTL_S=1)
    accounts = await create_accounts(auth_a)
    admin = accounts.admin.metadata

    got = await config_a.GetAdminConfig(admin_config_pb2.GetAdminConfigRequest(), metadata=admin, timeout=10)
    config = json.loads(got.config_json)
    assert config["ENABLE_FOLDERS"] is False and config["ENABLE_SIGNUP"] is True
    assert (await auth_b.GetAuthStatus(auth_pb2.GetAuthStatusRequest(), timeout=10)).enable_folders is False

    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await config_a.GetAdminConfig(
            admin_config_pb2.GetAdminConfigRequest(), metadata=accounts.alice.metadata, timeout=10
        )
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED

    with pytest.raises(grpc.aio.AioRpcError) as invalid:
        await config_a.UpdateAdminConfig(
            admin_config_pb2.UpdateAdminConfigRequest(config_json=b'{"ENABLE_SIGNUP": false}'),
            metadata=admin,
            timeout=10,
        )
    assert invalid.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert invalid.value.details() == messages.INVALID_AUTH_REQUEST

    body = {**config, "ENABLE_SIGNUP": False, "ENABLE_FOLDERS": True}
    updated = await config_a.UpdateAdminConfig(
        admin_config_pb2.UpdateAdminConfigRequest(config_json=json.dumps(body).encode()),
        metadata=admin,
        timeout=10,
    )
    assert updated.sessions_revoked is False and json.loads(updated.config_json)["ENABLE_SIGNUP"] is False

    started = time.monotonic()
    while True:
        status = await auth_b.GetAuthStatus(auth_pb2.GetAuthStatusRequest(), timeout=10)
        if not status.enable_signup and status.enable_folders:
            break
        assert time.monotonic() - started < 2.5, "replica B never saw the change"
        await asyncio.sleep(0.05)
    with pytest.raises(grpc.aio.AioRpcError) as closed:
        await auth_b.Signup(
            auth_pb2.SignupRequest(name="Late", email="late@example.com", password="pw"), timeout=10
        )
    assert closed.value.code() == grpc.StatusCode.PERMISSION_DENIED

    # A third replica started later reads the stored values, not its environment's.
    auth_c, _ = await _replica(start_auth, ENABLE_FOLDERS="false", ENABLE_SIGNUP="true")
    status = await auth_c.GetAuthStatus(auth_pb2.GetAuthStatusRequest(), timeout=10)
    assert status.enable_signup is False and status.enable_folders is True
