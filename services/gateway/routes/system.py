"""Public system routes: ``/health``, ``/ready``, ``/api/version``, ``/api/config``."""

from aiohttp import web

from services.gateway.auth_guard import find_credential
from services.gateway.caller_permissions import caller_permissions
from services.gateway.http_errors import json_response
from services.gateway.readiness import readiness_problems
from services.gateway.settings import API_VERSION
from services.gateway.state import CHANNELS, GUARD, LIFECYCLE, SETTINGS
from webui.auth.v1 import auth_pb2

routes = web.RouteTableDef()


@routes.get("/health")
async def health(request: web.Request) -> web.Response:
    return json_response({"status": True})


@routes.get("/ready")
async def ready(request: web.Request) -> web.Response:
    """200 when auth, inference and ingest all answer their gRPC health check SERVING; else 503
    naming what is not ready (also while the gateway is stopping)."""
    if request.app[LIFECYCLE].stopping:
        return json_response({"status": False, "detail": "gateway is shutting down"}, status=503)
    problems = await readiness_problems(request.app[CHANNELS], request.app[SETTINGS].ready_timeout_s)
    if problems:
        return json_response({"status": False, "detail": "; ".join(problems)}, status=503)
    return json_response({"status": True})


@routes.get("/api/version")
async def version(request: web.Request) -> web.Response:
    return json_response({"version": API_VERSION, "deployment_id": request.app[SETTINGS].deployment_id})


@routes.get("/api/config")
async def config(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    status = await request.app[GUARD].auth_status()
    user = await request.app[GUARD].optional_jwt_user(request)
    body: dict = {}
    if not status.has_users:
        body["onboarding"] = True
    body.update(
        {
            "status": True,
            "name": settings.webui_name,
            "version": API_VERSION,
            "default_locale": "",
            "oauth": {"providers": {}},
            "features": {
                "auth": True,
                "auth_trusted_header": False,
                "enable_signup_password_confirmation": False,
                "enable_ldap": False,
                "enable_signup": status.enable_signup or not status.has_users,
                "enable_login_form": status.enable_login_form,
                "enable_websocket": True,
            },
        }
    )
    if user is not None and user.role in (auth_pb2.ROLE_USER, auth_pb2.ROLE_ADMIN):
        body["features"].update(
            {
                "enable_api_keys": status.enable_api_keys,
                "enable_admin_export": user.role == auth_pb2.ROLE_ADMIN,
                # The admin config's switches (live, POST /api/v1/auths/admin/config).
                "enable_community_sharing": status.enable_community_sharing,
                "enable_message_rating": status.enable_message_rating,
                "enable_folders": status.enable_folders,
            }
        )
        body.update(
            {
                "default_models": "",
                "default_pinned_models": "",
                "default_prompt_suggestions": [],
                "file": {"max_size": None, "max_count": None, "image_compression": {}},
                # The caller's effective tree (defaults and its groups'), from its cached identity.
                "permissions": await caller_permissions(
                    request, find_credential(request, settings.custom_api_key_header) or ""
                ),
                "ui": {},
            }
        )
    elif user is not None:
        body["ui"] = {
            "pending_user_overlay_title": status.pending_user_overlay_title,
            "pending_user_overlay_content": status.pending_user_overlay_content,
        }
    return json_response(body)
