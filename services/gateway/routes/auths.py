"""``/api/v1/auths``: signup, signin, session, sign-out, password, admin add, API keys."""

import time
from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel

from services.common import messages
from services.gateway.auth_guard import COOKIE_NAME, Level
from services.gateway.body import read_model
from services.gateway.caller_permissions import caller_permissions
from services.gateway.client_address import client_address
from services.gateway.forms.auths import AddUserForm, SigninForm, SignupForm, UpdatePasswordForm
from services.gateway.http_errors import ApiError, json_response
from services.gateway.state import AUTH, GUARD, SETTINGS
from services.gateway.views import (
    ROLE_VALUES,
    added_user_json,
    session_info_json,
    session_json,
)
from webui.auth.v1 import auth_pb2

routes = web.RouteTableDef()

M = TypeVar("M", bound=BaseModel)


async def _read_form(request: web.Request, model: type[M]) -> M:
    """The body as ``model``. Open WebUI's auth router answers every invalid body (not JSON, a
    missing field, a wrong type) with one 422 text rather than the field list (§7.3.1)."""
    try:
        return await read_model(request, model, request.app[SETTINGS].auth_max_body_bytes)
    except ApiError as error:
        if error.status != 422:
            raise
        raise ApiError(422, messages.INVALID_AUTH_REQUEST) from None


# Cookies Open WebUI clears on sign-out.
_SIGNOUT_COOKIES = ("token", "oui-session", "oauth_id_token", "oauth_session_id")


def _set_token_cookie(
    request: web.Request, response: web.StreamResponse, token: str, expires_at: int
) -> None:
    settings = request.app[SETTINGS]
    max_age = max(int(expires_at - time.time()), 0) if expires_at else None
    response.set_cookie(
        COOKIE_NAME,
        token,
        httponly=True,
        samesite=settings.cookie_same_site.capitalize(),
        secure=settings.cookie_secure,
        max_age=max_age,
        path="/",
    )


async def _permissions(request: web.Request, credential: str) -> dict:
    """The caller's effective tree (its groups' permissions included), from its identity."""
    return await caller_permissions(request, credential)


async def _session_reply(request: web.Request, session: auth_pb2.Session) -> web.Response:
    response = json_response(session_json(session, await _permissions(request, session.token)))
    _set_token_cookie(request, response, session.token, session.expires_at)
    return response


@routes.post("/api/v1/auths/signup")
async def signup(request: web.Request) -> web.Response:
    form = await _read_form(request, SignupForm)
    session = await request.app[AUTH].signup(form.name, form.email, form.password, form.profile_image_url)
    request.app[GUARD].forget_auth_status()
    return await _session_reply(request, session)


@routes.post("/api/v1/auths/signin")
async def signin(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    form = await _read_form(request, SigninForm)
    # Sign-in limits count per client address (services/auth/core.py signin_refusal).
    address = client_address(
        request.remote, request.headers.getall("X-Forwarded-For", ()), settings.trusted_proxies
    )
    session = await request.app[AUTH].signin(form.email, form.password, address)
    return await _session_reply(request, session)


@routes.get("/api/v1/auths/")
async def session_user(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.HUMAN)
    permissions = await _permissions(request, principal.credential)
    body = session_info_json(principal.user, principal.credential, principal.expires_at, permissions)
    response = json_response(body)
    _set_token_cookie(request, response, principal.credential, principal.expires_at)
    return response


@routes.post("/api/v1/auths/signout")
async def signout(request: web.Request) -> web.Response:
    guard = request.app[GUARD]
    principal = await guard.require(request, Level.ANY)
    if principal.is_jwt:
        await request.app[AUTH].signout(principal.credential)
    guard.cache.evict(principal.credential)
    response = json_response({"status": True})
    for name in _SIGNOUT_COOKIES:
        response.del_cookie(name, path="/")
    return response


@routes.post("/api/v1/auths/update/password")
async def update_password(request: web.Request) -> web.Response:
    guard = request.app[GUARD]
    principal = await guard.require(request, Level.ANY)
    form = await _read_form(request, UpdatePasswordForm)
    await request.app[AUTH].change_password(principal.credential, form.password, form.new_password)
    guard.cache.evict_user(principal.user.id)
    return json_response(True)


@routes.post("/api/v1/auths/add")
async def add_user(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.ADMIN)
    form = await _read_form(request, AddUserForm)
    session = await request.app[AUTH].add_user(
        principal.credential,
        form.name,
        form.email,
        form.password,
        form.profile_image_url,
        ROLE_VALUES[form.role],
    )
    return json_response(added_user_json(session))


@routes.post("/api/v1/auths/api_key")
async def create_api_key(request: web.Request) -> web.Response:
    guard = request.app[GUARD]
    # Not with an API key: a leaked key could mint its own successor and outlive its revocation.
    principal = await guard.require(request, Level.HUMAN)
    key = await request.app[AUTH].create_api_key(principal.credential)
    # The replaced key must stop working here at once, not after the cache TTL.
    guard.cache.evict_user(principal.user.id)
    return json_response({"api_key": key})


@routes.get("/api/v1/auths/api_key")
async def get_api_key(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.ANY)
    return json_response({"api_key": await request.app[AUTH].get_api_key(principal.credential)})


@routes.delete("/api/v1/auths/api_key")
async def delete_api_key(request: web.Request) -> web.Response:
    guard = request.app[GUARD]
    # Keys are managed from a signed-in session only, as keys are minted.
    principal = await guard.require(request, Level.HUMAN)
    await request.app[AUTH].delete_api_key(principal.credential)
    guard.cache.evict_user(principal.user.id)
    return json_response(True)
