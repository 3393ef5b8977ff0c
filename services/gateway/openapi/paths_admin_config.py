"""``/api/v1/auths/admin/config``: the admin config (§7.2)."""

from services.gateway.forms.admin_config import AdminConfigForm
from services.gateway.openapi.common import ANY_OBJECT, BACKEND_ERRORS, operation, ref
from services.gateway.openapi.form_schemas import form_ref, form_schemas

_TAG = "auths"

SCHEMAS = {
    **form_schemas(AdminConfigForm),
    "AdminConfig": {
        **ANY_OBJECT,
        "description": "Every admin config key (stored values over the environment's), in Open WebUI's order",
    },
    "AdminConfigUpdated": {
        "type": "object",
        "additionalProperties": True,
        "properties": {"sessions_revoked": {"type": "boolean"}},
        "required": ["sessions_revoked"],
    },
}

PATHS = {
    "/api/v1/auths/admin/config": {
        "get": operation(
            "The admin config (admin)",
            tag=_TAG,
            ok=ref("AdminConfig"),
            errors=BACKEND_ERRORS,
        ),
        "post": operation(
            "Update the admin config (admin); the live settings reach every replica within 5 s",
            tag=_TAG,
            body=form_ref(AdminConfigForm),
            ok=ref("AdminConfigUpdated"),
            # 403: MFA flags sent with an API key; 409: ENABLE_MFA (this server has no MFA);
            # 422: any invalid body, `{"detail": "Invalid authentication request."}`.
            errors=(403, 409, 413, 422, *BACKEND_ERRORS),
        ),
    }
}
