"""``/api/v1/prompts``: Open WebUI's prompts (PromptsService, in the inference service), their
access grants and versions."""

import orjson
from aiohttp import web

from services.gateway.auth_guard import Level
from services.gateway.body import query_int, read_model
from services.gateway.forms.prompts import PromptAccessForm, PromptForm, PromptMetaForm, PromptVersionForm
from services.gateway.http_errors import ApiError, json_response, raw_json_response
from services.gateway.prompt_views import prompt_access_json, prompt_json, version_json
from services.gateway.state import AUTH, GUARD, PROMPTS, SETTINGS
from services.gateway.user_refs import attach_users

routes = web.RouteTableDef()

_PREFIX = "/api/v1/prompts"


def _max_body(request: web.Request) -> int:
    return request.app[SETTINGS].workspace_max_body_bytes


def _prompt_id(request: web.Request) -> str:
    return request.match_info["prompt_id"]


def _history_id(request: web.Request) -> str:
    return request.match_info["history_id"]


def _required_query(request: web.Request, name: str) -> str:
    value = request.query.get(name)
    if value is None:
        raise ApiError(
            422, [{"type": "missing", "loc": ["query", name], "msg": "Field required", "input": None}]
        )
    return value


async def _form(request: web.Request, model: type[PromptForm] | type[PromptMetaForm]) -> bytes:
    form = await read_model(request, model, _max_body(request))
    return orjson.dumps(form.model_dump())


@routes.get(f"{_PREFIX}/")
async def list_prompts(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    prompts = await request.app[PROMPTS].list_prompts(principal)
    return json_response([prompt_json(p) for p in prompts])


@routes.get(f"{_PREFIX}/tags")
async def list_prompt_tags(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    return json_response(await request.app[PROMPTS].list_tags(principal))


@routes.get(f"{_PREFIX}/list")
async def search_prompts(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    query = request.query
    found = await request.app[PROMPTS].search(
        principal,
        query=query.get("query", ""),
        view_option=query.get("view_option", ""),
        tag=query.get("tag", ""),
        order_by=query.get("order_by", ""),
        # Open WebUI sorts descending unless told "asc".
        ascending=query.get("direction", "") == "asc",
        page=query_int(request, "page", 1, minimum=1),
    )
    items = await attach_users(
        request.app[AUTH], principal.credential, [prompt_access_json(p) for p in found.prompts]
    )
    return json_response({"items": items, "total": found.total})


@routes.post(f"{_PREFIX}/create")
async def create_prompt(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    prompt = await request.app[PROMPTS].create(principal, await _form(request, PromptForm))
    return json_response(prompt_json(prompt))


@routes.get(f"{_PREFIX}/id/{{prompt_id}}")
async def get_prompt(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    prompt = await request.app[PROMPTS].get(principal, _prompt_id(request))
    items = await attach_users(request.app[AUTH], principal.credential, [prompt_access_json(prompt)])
    return json_response(items[0])


@routes.post(f"{_PREFIX}/id/{{prompt_id}}/update")
async def update_prompt(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    form = await _form(request, PromptForm)
    return json_response(prompt_json(await request.app[PROMPTS].update(principal, _prompt_id(request), form)))


@routes.post(f"{_PREFIX}/id/{{prompt_id}}/update/meta")
async def update_prompt_meta(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    form = await _form(request, PromptMetaForm)
    return json_response(
        prompt_json(await request.app[PROMPTS].update_meta(principal, _prompt_id(request), form))
    )


@routes.post(f"{_PREFIX}/id/{{prompt_id}}/update/version")
async def set_prompt_version(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    form = await read_model(request, PromptVersionForm, _max_body(request))
    prompt = await request.app[PROMPTS].set_version(principal, _prompt_id(request), form.version_id)
    return json_response(prompt_json(prompt))


@routes.post(f"{_PREFIX}/id/{{prompt_id}}/access/update")
async def update_prompt_access(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    form = await read_model(request, PromptAccessForm, _max_body(request))
    prompt = await request.app[PROMPTS].update_access(
        principal, _prompt_id(request), orjson.dumps(form.access_grants)
    )
    return json_response(prompt_json(prompt))


@routes.post(f"{_PREFIX}/id/{{prompt_id}}/toggle")
async def toggle_prompt(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    return json_response(prompt_json(await request.app[PROMPTS].toggle(principal, _prompt_id(request))))


@routes.delete(f"{_PREFIX}/id/{{prompt_id}}/delete")
async def delete_prompt(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    return json_response(await request.app[PROMPTS].delete(principal, _prompt_id(request)))


@routes.get(f"{_PREFIX}/id/{{prompt_id}}/history")
async def list_prompt_history(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    versions = await request.app[PROMPTS].list_versions(
        principal, _prompt_id(request), query_int(request, "page", 0, minimum=0)
    )
    return json_response(
        await attach_users(request.app[AUTH], principal.credential, [version_json(v) for v in versions])
    )


# Before /history/{history_id}, which would take "diff" for an id.
@routes.get(f"{_PREFIX}/id/{{prompt_id}}/history/diff")
async def diff_prompt_versions(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    from_id, to_id = _required_query(request, "from_id"), _required_query(request, "to_id")
    diff = await request.app[PROMPTS].diff_versions(principal, _prompt_id(request), from_id, to_id)
    return raw_json_response(diff)


@routes.get(f"{_PREFIX}/id/{{prompt_id}}/history/{{history_id}}")
async def get_prompt_version(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    version = await request.app[PROMPTS].get_version(principal, _prompt_id(request), _history_id(request))
    return json_response(version_json(version))


@routes.delete(f"{_PREFIX}/id/{{prompt_id}}/history/{{history_id}}")
async def delete_prompt_version(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    return json_response(
        await request.app[PROMPTS].delete_version(principal, _prompt_id(request), _history_id(request))
    )
