"""The body of ``POST /api/v1/auths/admin/config``: the model the auth service checks too (shared
in ``services.common.forms``), and the way ``/api/v1/auths/*`` answers a bad body (§7.3.1)."""

from aiohttp import web
from pydantic import ValidationError

from services.common import messages
from services.common.forms.admin_config import AdminConfigForm
from services.gateway.body import check_json_values, read_body
from services.gateway.http_errors import ApiError
from services.gateway.state import SETTINGS

__all__ = ["AdminConfigForm", "read_admin_config"]


async def read_admin_config(request: web.Request) -> tuple[AdminConfigForm, bytes]:
    """The validated form and the raw body; any invalid body (not JSON, not an object, a missing
    required key, a wrong type) is Open WebUI's 422 ``Invalid authentication request.``."""
    settings = request.app[SETTINGS]
    raw = await read_body(request, settings.auth_max_body_bytes)
    check_json_values(raw, settings.json_max_values)
    try:
        form = AdminConfigForm.model_validate_json(raw or b"null")
    except ValidationError:
        raise ApiError(422, messages.INVALID_AUTH_REQUEST) from None
    return form, raw
