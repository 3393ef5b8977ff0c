"""``/api/v1/auths/*``: signup, signin, session, sign-out, password, admin add, API keys."""

from services.gateway.forms.auths import AddUserForm, SigninForm, SignupForm, UpdatePasswordForm
from services.gateway.openapi.common import (
    ANY_OBJECT,
    BACKEND_ERRORS,
    operation,
    ref,
)
from services.gateway.openapi.form_schemas import form_ref, form_schemas

_TAG = "auths"

_ROLE = {"type": "string", "enum": ["pending", "user", "admin"]}
_SESSION_PROPERTIES = {
    "id": {"type": "string"},
    "name": {"type": "string"},
    "role": _ROLE,
    "email": {"type": "string"},
    "profile_image_url": {"type": "string"},
    "token": {"type": "string"},
    "token_type": {"type": "string", "const": "Bearer"},
    "expires_at": {"type": ["integer", "null"]},
    "permissions": ANY_OBJECT,
}

SCHEMAS = {
    **form_schemas(SignupForm, SigninForm, AddUserForm, UpdatePasswordForm),
    "SessionUser": {
        "type": "object",
        "properties": _SESSION_PROPERTIES,
        "required": list(_SESSION_PROPERTIES),
    },
    "SessionUserInfo": {
        "type": "object",
        "properties": {
            **_SESSION_PROPERTIES,
            **{
                k: {}
                for k in (
                    "bio",
                    "gender",
                    "date_of_birth",
                    "status_emoji",
                    "status_message",
                    "status_expires_at",
                )
            },
        },
        "required": list(_SESSION_PROPERTIES),
    },
    "AddedUser": {
        "type": "object",
        "properties": {
            k: _SESSION_PROPERTIES[k]
            for k in ("token", "token_type", "id", "email", "name", "role", "profile_image_url")
        },
        "required": ["token", "token_type", "id", "email", "name", "role", "profile_image_url"],
    },
    "ApiKey": {
        "type": "object",
        "properties": {"api_key": {"type": "string"}},
        "required": ["api_key"],
    },
}

_STATUS = {"type": "object", "properties": {"status": {"type": "boolean"}}, "required": ["status"]}
_TRUE = {"type": "boolean"}
_FORM = (400, 413, 422, *BACKEND_ERRORS)

PATHS = {
    "/api/v1/auths/signup": {
        "post": operation(
            "Sign up (the first account becomes the admin); sets the `token` cookie",
            tag=_TAG,
            body=form_ref(SignupForm),
            ok=ref("SessionUser"),
            errors=(*_FORM, 403, 409),
            auth=False,
        )
    },
    "/api/v1/auths/signin": {
        "post": operation(
            "Sign in; sets the `token` cookie",
            tag=_TAG,
            body=form_ref(SigninForm),
            ok=ref("SessionUser"),
            errors=(*_FORM, 429),
            auth=False,
        )
    },
    "/api/v1/auths/": {
        "get": operation(
            "The signed-in user's session (a JWT session, not an API key: 403)",
            tag=_TAG,
            ok=ref("SessionUserInfo"),
            errors=(403, *BACKEND_ERRORS),
        )
    },
    "/api/v1/auths/signout": {
        "post": operation(
            "Sign out: revokes this JWT and clears the cookies",
            tag=_TAG,
            ok=_STATUS,
            errors=BACKEND_ERRORS,
        )
    },
    "/api/v1/auths/update/password": {
        "post": operation(
            "Change the caller's password",
            tag=_TAG,
            body=form_ref(UpdatePasswordForm),
            ok=_TRUE,
            errors=(*_FORM, 403),
        )
    },
    "/api/v1/auths/add": {
        "post": operation(
            "Add a user (admin)",
            tag=_TAG,
            body=form_ref(AddUserForm),
            ok=ref("AddedUser"),
            errors=(*_FORM, 403, 409),
        )
    },
    "/api/v1/auths/api_key": {
        "post": operation(
            "Create (or replace) the caller's API key; the old one stops working at once "
            "(a JWT session, not an API key: 403)",
            tag=_TAG,
            ok=ref("ApiKey"),
            errors=(403, *BACKEND_ERRORS),
        ),
        "get": operation(
            "The caller's API key, masked",
            tag=_TAG,
            ok=ref("ApiKey"),
            errors=(403, 404, *BACKEND_ERRORS),
        ),
        "delete": operation(
            "Delete the caller's API key (a JWT session, not an API key: 403)",
            tag=_TAG,
            ok=_TRUE,
            errors=(403, 404, *BACKEND_ERRORS),
        ),
    },
}
