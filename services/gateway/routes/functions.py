"""``/api/v1/functions``: Open WebUI functions (pipes, filters), their code, switches and valves."""

import orjson
from aiohttp import web

from services.gateway.auth_guard import Level
from services.gateway.body import read_json_object, read_model
from services.gateway.forms.functions import FunctionForm
from services.gateway.function_views import function_list_json, function_model_json, function_response_json
from services.gateway.http_errors import json_response, raw_json_response
from services.gateway.state import AUTH, GUARD, INFERENCE, SETTINGS
from services.gateway.user_refs import attach_users

routes = web.RouteTableDef()

_PREFIX = "/api/v1/functions"


def _max_body(request: web.Request) -> int:
    # Function code is a JSON string in the body: the workspace routes' limit fits it.
    return request.app[SETTINGS].workspace_max_body_bytes


async def _form_json(request: web.Request) -> bytes:
    form = await read_model(request, FunctionForm, _max_body(request))
    return orjson.dumps(form.model_dump())


def _orjson_response(value: object) -> web.Response:
    # A bare application/json (no charset), as Open WebUI (FastAPI) sends it.
    return raw_json_response(orjson.dumps(value))


@routes.get(f"{_PREFIX}/")
async def list_functions(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    return _orjson_response(function_list_json(await request.app[INFERENCE].list_functions(principal)))


@routes.get(f"{_PREFIX}/list")
async def list_functions_with_users(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.ADMIN)
    functions = function_list_json(await request.app[INFERENCE].list_functions(principal))
    return json_response(await attach_users(request.app[AUTH], principal.credential, functions))


@routes.post(f"{_PREFIX}/create")
async def create_function(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.ADMIN)
    function = await request.app[INFERENCE].create_function(principal, await _form_json(request))
    # Open WebUI answers a create with a FunctionResponse: no code, its own key order.
    return json_response(function_response_json(function))


@routes.get(f"{_PREFIX}/id/{{function_id}}")
async def get_function(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.ADMIN)
    function = await request.app[INFERENCE].get_function(principal, request.match_info["function_id"])
    return _orjson_response(function_model_json(function))


@routes.post(f"{_PREFIX}/id/{{function_id}}/update")
async def update_function(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.ADMIN)
    form = await _form_json(request)
    function = await request.app[INFERENCE].update_function(
        principal, request.match_info["function_id"], form
    )
    return _orjson_response(function_model_json(function))


@routes.post(f"{_PREFIX}/id/{{function_id}}/toggle")
async def toggle_function(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.ADMIN)
    function_id = request.match_info["function_id"]
    function = await request.app[INFERENCE].toggle_function(principal, function_id, is_global=False)
    return _orjson_response(function_model_json(function))


@routes.post(f"{_PREFIX}/id/{{function_id}}/toggle/global")
async def toggle_function_global(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.ADMIN)
    function_id = request.match_info["function_id"]
    function = await request.app[INFERENCE].toggle_function(principal, function_id, is_global=True)
    return _orjson_response(function_model_json(function))


@routes.delete(f"{_PREFIX}/id/{{function_id}}/delete")
async def delete_function(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.ADMIN)
    deleted = await request.app[INFERENCE].delete_function(principal, request.match_info["function_id"])
    return json_response(deleted)


async def _valves(request: web.Request, *, user: bool, spec: bool) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED if user else Level.ADMIN)
    function_id = request.match_info["function_id"]
    return raw_json_response(
        await request.app[INFERENCE].get_function_valves(principal, function_id, user=user, spec=spec)
    )


async def _update_valves(request: web.Request, *, user: bool) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED if user else Level.ADMIN)
    body = await read_json_object(request, _max_body(request))
    function_id = request.match_info["function_id"]
    return raw_json_response(
        await request.app[INFERENCE].update_function_valves(principal, function_id, body, user=user)
    )


@routes.get(f"{_PREFIX}/id/{{function_id}}/valves")
async def get_valves(request: web.Request) -> web.Response:
    return await _valves(request, user=False, spec=False)


@routes.get(f"{_PREFIX}/id/{{function_id}}/valves/spec")
async def get_valves_spec(request: web.Request) -> web.Response:
    return await _valves(request, user=False, spec=True)


@routes.post(f"{_PREFIX}/id/{{function_id}}/valves/update")
async def update_valves(request: web.Request) -> web.Response:
    return await _update_valves(request, user=False)


@routes.get(f"{_PREFIX}/id/{{function_id}}/valves/user")
async def get_user_valves(request: web.Request) -> web.Response:
    return await _valves(request, user=True, spec=False)


@routes.get(f"{_PREFIX}/id/{{function_id}}/valves/user/spec")
async def get_user_valves_spec(request: web.Request) -> web.Response:
    return await _valves(request, user=True, spec=True)


@routes.post(f"{_PREFIX}/id/{{function_id}}/valves/user/update")
async def update_user_valves(request: web.Request) -> web.Response:
    return await _update_valves(request, user=True)
