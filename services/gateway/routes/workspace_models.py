"""``/api/v1/models/*``: workspace models (presets over a base model, and overrides of one)."""

import orjson
from aiohttp import web
from pydantic import BaseModel

from services.gateway.auth_guard import Level
from services.gateway.body import query_int, read_model
from services.gateway.forms.workspace_models import ModelAccessForm, ModelForm, ModelIdForm
from services.gateway.http_errors import ApiError, json_response, raw_json_response
from services.gateway.state import AUTH, GUARD, INFERENCE, SETTINGS
from services.gateway.user_refs import attach_users
from services.gateway.workspace_model_views import (
    workspace_model_detail_json,
    workspace_model_json,
    workspace_model_list_json,
)

routes = web.RouteTableDef()


async def _form(request: web.Request, model: type[BaseModel]):
    return await read_model(request, model, request.app[SETTINGS].workspace_max_body_bytes)


def _form_json(form: ModelForm) -> bytes:
    return orjson.dumps(form.model_dump())


def _orjson_response(value: object) -> web.Response:
    # A bare application/json (no charset), as Open WebUI (FastAPI) sends it.
    return raw_json_response(orjson.dumps(value))


def _model_id(request: web.Request) -> str:
    """The required ``id`` query parameter (ids may hold ``/``, so they are not path segments)."""
    model_id = request.query.get("id")
    if model_id is None:
        raise ApiError(
            422, [{"type": "missing", "loc": ["query", "id"], "msg": "Field required", "input": None}]
        )
    return model_id


@routes.get("/api/v1/models/list")
async def list_models(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    page = workspace_model_list_json(
        await request.app[INFERENCE].list_workspace_models(
            principal, request.query.get("query", ""), query_int(request, "page", 1)
        )
    )
    await attach_users(request.app[AUTH], principal.credential, page["items"])
    return json_response(page)


@routes.post("/api/v1/models/create")
async def create_model(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    form = await _form(request, ModelForm)
    # The inference service checks ``workspace.models`` (401) and the grants (§6.2).
    model = await request.app[INFERENCE].create_workspace_model(principal, _form_json(form))
    return _orjson_response(workspace_model_json(model))


@routes.get("/api/v1/models/model")
async def get_model(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    model = await request.app[INFERENCE].get_workspace_model(principal, _model_id(request))
    return _orjson_response(workspace_model_detail_json(model))


@routes.post("/api/v1/models/model/update")
async def update_model(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    form = await _form(request, ModelForm)
    model = await request.app[INFERENCE].update_workspace_model(principal, _form_json(form))
    return _orjson_response(workspace_model_json(model))


@routes.post("/api/v1/models/model/access/update")
async def update_model_access(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    form = await _form(request, ModelAccessForm)
    model = await request.app[INFERENCE].update_workspace_model_access(
        principal, form.id, form.name or "", orjson.dumps(form.access_grants)
    )
    return _orjson_response(workspace_model_json(model))


@routes.post("/api/v1/models/model/toggle")
async def toggle_model(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    model = await request.app[INFERENCE].toggle_workspace_model(principal, _model_id(request))
    return _orjson_response(workspace_model_json(model))


@routes.post("/api/v1/models/model/delete")
async def delete_model(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    form = await _form(request, ModelIdForm)
    return json_response(await request.app[INFERENCE].delete_workspace_model(principal, form.id))
