"""``/api/v1/auths/api_keys``: many named, scoped API keys per user (beyond Open WebUI's one).

Keys are created and revoked from a signed-in session only (a leaked key must not mint its
successor); they may be listed with a key. A scope's model, collection and file ids are checked
with the caller's own credential before the key is made: the models the caller can list (what
``/api/models`` shows) and the collections and files the caller can read; any other id is a 400
that names it.
"""

import asyncio
import time

import grpc
import orjson
from aiohttp import web

from services.gateway.api_key_views import api_key_json, created_key_json, key_usage_json
from services.gateway.auth_guard import Level, Principal
from services.gateway.body import read_model
from services.gateway.forms.api_keys import CreateApiKeyForm
from services.gateway.http_errors import ApiError, json_response
from services.gateway.state import API_KEYS, GUARD, INFERENCE, INGEST, SETTINGS, USAGE
from webui.auth.v1 import api_keys_pb2
from webui.inference.v1 import usage_pb2

routes = web.RouteTableDef()

# What a lookup of a named id may answer that means "not yours to name": anything else (a backend
# down, a deadline) is passed on as it is.
_REFUSALS = (
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.PERMISSION_DENIED,
    grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.FAILED_PRECONDITION,
    grpc.StatusCode.UNAUTHENTICATED,
)


async def _unknown_models(request: web.Request, principal: Principal, wanted: list[str]) -> list[str]:
    if not wanted:
        return []
    listed = orjson.loads(await request.app[INFERENCE].list_models(principal, False))
    known = {str(m.get("id")) for m in listed if isinstance(m, dict)} if isinstance(listed, list) else set()
    return [model_id for model_id in wanted if model_id not in known]


async def _unreadable(lookups: dict[str, object]) -> list[str]:
    """The ids whose lookup (an awaitable each) was refused."""
    missing = []
    results = await asyncio.gather(*lookups.values(), return_exceptions=True)
    for item_id, result in zip(lookups, results, strict=True):
        if isinstance(result, grpc.aio.AioRpcError) and result.code() in _REFUSALS:
            missing.append(item_id)
        elif isinstance(result, BaseException):
            raise result
    return missing


async def _check_scope(request: web.Request, principal: Principal, form: CreateApiKeyForm) -> None:
    ingest = request.app[INGEST]
    models, collections, files = await asyncio.gather(
        _unknown_models(request, principal, form.model_ids),
        _unreadable({k: ingest.get_knowledge(principal, k) for k in dict.fromkeys(form.knowledge_ids)}),
        _unreadable({f: ingest.get_file(principal, f, False) for f in dict.fromkeys(form.file_ids)}),
    )
    reasons = []
    if models:
        reasons.append(f"unknown model_ids: {', '.join(models)}")
    if collections:
        reasons.append(f"unknown or unreadable knowledge_ids: {', '.join(collections)}")
    if files:
        reasons.append(f"unknown or unreadable file_ids: {', '.join(files)}")
    if reasons:
        raise ApiError(400, "; ".join(reasons))


async def _usage_by_key(request: web.Request, principal: Principal) -> dict[str, usage_pb2.UsageRow] | None:
    """The caller's lifetime usage per key (their usage records, grouped by key), or None when the
    usage service cannot answer: a key list stays available without its figures."""
    query = usage_pb2.QueryUsageRequest(user_id=principal.user.id, group_by=["key"])
    try:
        rows = await request.app[USAGE].query(principal, query)
    except grpc.aio.AioRpcError:
        return None
    return {row.keys.get("key", ""): row for row in rows}


def _with_usage(key: api_keys_pb2.ApiKey, usage: dict[str, usage_pb2.UsageRow] | None) -> dict:
    return {**api_key_json(key), "usage": key_usage_json(usage.get(key.id)) if usage is not None else None}


@routes.post("/api/v1/auths/api_keys")
async def create_api_key(request: web.Request) -> web.Response:
    guard = request.app[GUARD]
    principal = await guard.require(request, Level.HUMAN)
    form = await read_model(request, CreateApiKeyForm, request.app[SETTINGS].auth_max_body_bytes)
    await _check_scope(request, principal, form)
    expires_at = form.expires_at or (int(time.time()) + form.expires_in if form.expires_in else 0)
    reply = await request.app[API_KEYS].create(
        principal.credential,
        api_keys_pb2.CreateKeyRequest(
            name=form.name,
            kind=form.kind,
            expires_at=expires_at,
            model_ids=form.model_ids,
            knowledge_ids=form.knowledge_ids,
            file_ids=form.file_ids,
        ),
    )
    return json_response(created_key_json(reply))


@routes.get("/api/v1/auths/api_keys")
async def list_api_keys(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.ANY)
    keys = await request.app[API_KEYS].list(principal.credential)
    usage = await _usage_by_key(request, principal)
    return json_response([_with_usage(key, usage) for key in keys])


@routes.get("/api/v1/auths/api_keys/{id}")
async def get_api_key(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.ANY)
    key = await request.app[API_KEYS].get(principal.credential, request.match_info["id"])
    return json_response(_with_usage(key, await _usage_by_key(request, principal)))


@routes.delete("/api/v1/auths/api_keys/{id}")
async def revoke_api_key(request: web.Request) -> web.Response:
    guard = request.app[GUARD]
    principal = await guard.require(request, Level.HUMAN)
    key = await request.app[API_KEYS].revoke(principal.credential, request.match_info["id"])
    # The revoked key stops working here at once; other replicas drop it within their cache TTL.
    guard.cache.evict_user(principal.user.id)
    return json_response(api_key_json(key))
