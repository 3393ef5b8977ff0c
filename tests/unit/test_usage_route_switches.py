"""The usage and analytics routes' wiring: ENABLE_ADMIN_ANALYTICS mounts `/api/v1/analytics/*` (as
Open WebUI, absent when off), and `/api/v1/users/usage` is not taken for a user id."""

from aiohttp.test_utils import make_mocked_request

from services.gateway.app import create_app
from services.gateway.routes import usage
from services.gateway.settings import GatewaySettings


def _paths(settings: GatewaySettings) -> set[str]:
    app = create_app(settings)
    return {route.resource.canonical for route in app.router.routes()}


def test_analytics_are_mounted_by_default() -> None:
    assert GatewaySettings().enable_admin_analytics is True
    assert GatewaySettings().enable_public_active_users_count is True
    paths = _paths(GatewaySettings())
    assert "/api/v1/analytics/summary" in paths and "/api/v1/analytics/models/{model_id}/overview" in paths


def test_analytics_switched_off_are_absent() -> None:
    paths = _paths(GatewaySettings(ENABLE_ADMIN_ANALYTICS="false"))
    assert not any(path.startswith("/api/v1/analytics") for path in paths)
    # The user's own usage and the active count stay.
    assert {"/api/v1/users/usage", "/api/usage"} <= paths


async def test_users_usage_is_not_a_user_id() -> None:
    app = create_app(GatewaySettings())
    match = await app.router.resolve(make_mocked_request("GET", "/api/v1/users/usage", app=app))
    assert match.handler is usage.user_usage
