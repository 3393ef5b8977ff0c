"""``/api/v1/chats/*``: stored chats (ChatsService, in the inference service).

Fixed paths (``/all``, ``/pinned``, ``/search``, …) are matched before ``/{id}``, as in Open WebUI,
whatever order they are registered in (aiohttp tries longer fixed prefixes first)."""

from collections.abc import AsyncIterator
from typing import TypeVar

import grpc
import orjson
from aiohttp import web
from pydantic import BaseModel

from services.common import messages
from services.gateway.auth_guard import Level, Principal, find_credential
from services.gateway.body import INT32_MAX, query_bool, query_int, read_json_object, read_model
from services.gateway.chat_views import chat_json, grant_json, shared_chat_json, summaries_json, tags_json
from services.gateway.forms.chat_sharing import AccessGrantsForm, ShareForm
from services.gateway.forms.chats import (
    ChatConfigForm,
    ChatForm,
    ChatsImportForm,
    CloneForm,
    EventForm,
    ForkForm,
    MessageForm,
    TagFilterForm,
    TagForm,
)
from services.gateway.forms.folders import ChatFolderIdForm
from services.gateway.http_errors import ApiError, error_from_rpc, json_response, raw_json_response
from services.gateway.relay import write_rest
from services.gateway.state import CHATS, GUARD, SETTINGS

routes = web.RouteTableDef()
M = TypeVar("M", bound=BaseModel)
PREFIX = "/api/v1/chats"


async def _verified(request: web.Request) -> Principal:
    return await request.app[GUARD].require(request, Level.VERIFIED)


async def _form(request: web.Request, model: type[M]) -> M:
    return await read_model(request, model, request.app[SETTINGS].chat_max_bytes)


def _chat_id(request: web.Request) -> str:
    return request.match_info["id"]


def _ascending(request: web.Request, name: str) -> bool:
    return request.query.get(name, "desc").lower() == "asc"


def _chat_reply(chat: object, **kwargs: bool) -> web.Response:
    return json_response(chat_json(chat, **kwargs))


# -- lists -------------------------------------------------------------------------------------


@routes.get(f"{PREFIX}/")
@routes.get(f"{PREFIX}/list")
async def list_chats(request: web.Request) -> web.Response:
    principal = await _verified(request)
    # No page: every chat (Open WebUI's default); a page: 60 of them.
    page = query_int(request, "page", 0) if request.query.get("page") else 0
    chats = await request.app[CHATS].list_chats(
        principal,
        page=page,
        include_pinned=query_bool(request, "include_pinned"),
        include_folders=query_bool(request, "include_folders"),
        sort_by=request.query.get("sort_by", "updated_at"),
        ascending=_ascending(request, "sort_dir"),
    )
    return json_response(summaries_json(chats))


@routes.get(f"{PREFIX}/folder/{{folder_id}}")
async def folder_chats(request: web.Request) -> web.Response:
    """Whole chats of the caller in a folder and its subfolders."""
    principal = await _verified(request)
    chats = await request.app[CHATS].folder_chats(principal, request.match_info["folder_id"])
    return json_response([chat_json(chat) for chat in chats])


@routes.get(f"{PREFIX}/folder/{{folder_id}}/list")
async def folder_chat_list(request: web.Request) -> web.Response:
    principal = await _verified(request)
    chats = await request.app[CHATS].folder_chat_list(
        principal,
        request.match_info["folder_id"],
        page=query_int(request, "page", 1),
        sort_by=request.query.get("sort_by", "unread_updated_at"),
        ascending=_ascending(request, "sort_dir"),
    )
    return json_response(summaries_json(chats))


@routes.get(f"{PREFIX}/pinned")
async def list_pinned(request: web.Request) -> web.Response:
    principal = await _verified(request)
    return json_response(summaries_json(await request.app[CHATS].list_pinned(principal)))


@routes.get(f"{PREFIX}/archived")
async def list_archived(request: web.Request) -> web.Response:
    principal = await _verified(request)
    chats = await request.app[CHATS].list_archived(
        principal,
        page=query_int(request, "page", 1),
        query=request.query.get("query", ""),
        order_by=request.query.get("order_by", "updated_at"),
        ascending=_ascending(request, "direction"),
    )
    return json_response(summaries_json(chats))


@routes.get(f"{PREFIX}/archived/count")
async def count_archived(request: web.Request) -> web.Response:
    principal = await _verified(request)
    return json_response(await request.app[CHATS].count_archived(principal))


@routes.get(f"{PREFIX}/search")
async def search(request: web.Request) -> web.Response:
    principal = await _verified(request)
    text = request.query.get("text")
    if text is None:
        raise ApiError(
            422, [{"type": "missing", "loc": ["query", "text"], "msg": "Field required", "input": None}]
        )
    chats = await request.app[CHATS].search(principal, text, query_int(request, "page", 1))
    return json_response(summaries_json(chats))


@routes.post(f"{PREFIX}/tags")
async def list_by_tag(request: web.Request) -> web.Response:
    principal = await _verified(request)
    form = await _form(request, TagFilterForm)
    # Into int32 fields: larger values are clamped (a skip past the end is an empty page anyway).
    skip, limit = (min(max(value, 0), INT32_MAX) for value in (form.skip, form.limit))
    chats = await request.app[CHATS].list_by_tag(principal, form.name, skip, limit)
    return json_response(summaries_json(chats))


@routes.get(f"{PREFIX}/all")
async def all_chats(request: web.Request) -> web.StreamResponse:
    """NDJSON, one ChatResponse a line, newest first: the first chat is awaited before the head, so a
    failure before it is a plain error reply."""
    principal = await _verified(request)
    call = request.app[CHATS].stream(principal, archived_only=False)
    try:
        replies = call.__aiter__()
        try:
            first = await replies.__anext__()
        except StopAsyncIteration:
            first = None
        response = web.StreamResponse(headers={"Content-Type": "application/x-ndjson"})
        await response.prepare(request)
        if first is None:
            await response.write_eof()
            return response
        await response.write(orjson.dumps(chat_json(first.chat)) + b"\n")
        lines = (orjson.dumps(chat_json(reply.chat)) + b"\n" async for reply in replies)
        return await write_rest(request, response, lines)
    finally:
        if not call.done():
            call.cancel()


@routes.get(f"{PREFIX}/all/archived")
async def all_archived(request: web.Request) -> web.Response:
    principal = await _verified(request)
    call = request.app[CHATS].stream(principal, archived_only=True)
    try:
        return json_response([chat_json(reply.chat) async for reply in call])
    except grpc.aio.AioRpcError as error:
        raise error_from_rpc(error) from None


@routes.get(f"{PREFIX}/all/tags")
async def all_tags(request: web.Request) -> web.Response:
    principal = await _verified(request)
    return json_response(tags_json(await request.app[CHATS].all_tags(principal)))


@routes.post(f"{PREFIX}/archive/all")
async def archive_all(request: web.Request) -> web.Response:
    principal = await _verified(request)
    return json_response(await request.app[CHATS].archive_all(principal))


@routes.post(f"{PREFIX}/unarchive/all")
async def unarchive_all(request: web.Request) -> web.Response:
    principal = await _verified(request)
    return json_response(await request.app[CHATS].unarchive_all(principal))


# -- sharing (fixed paths and ``/{id}/…`` share routes, registered before ``/{id}``) ------------


@routes.get(f"{PREFIX}/shared")
async def list_shared(request: web.Request) -> web.Response:
    principal = await _verified(request)
    shares = await request.app[CHATS].list_shared(
        principal,
        page=query_int(request, "page", 1),
        query=request.query.get("query", ""),
        order_by=request.query.get("order_by", "updated_at"),
        ascending=_ascending(request, "direction"),
    )
    return json_response([shared_chat_json(share) for share in shares])


@routes.delete(f"{PREFIX}/share/all")
async def unshare_all(request: web.Request) -> web.Response:
    principal = await _verified(request)
    return json_response(await request.app[CHATS].unshare_all(principal))


@routes.get(f"{PREFIX}/share/{{share_id}}")
async def get_shared(request: web.Request) -> web.Response:
    """Open WebUI lets anonymous callers ask (an ``anyone`` grant could let them read); here a
    share is only for signed-in users, and a call without a credential gets Open WebUI's answer
    for a share it may not read."""
    if find_credential(request, request.app[SETTINGS].custom_api_key_header) is None:
        raise ApiError(401, messages.INVALID_TOKEN)
    principal = await _verified(request)
    chat = await request.app[CHATS].get_shared(principal, request.match_info["share_id"])
    return _chat_reply(chat, share_mode=True)


@routes.get(f"{PREFIX}/shared/{{chat_id}}/access")
async def access_grants(request: web.Request) -> web.Response:
    principal = await _verified(request)
    grants = await request.app[CHATS].access_grants(principal, request.match_info["chat_id"])
    return json_response([grant_json(grant) for grant in grants])


@routes.post(f"{PREFIX}/shared/{{chat_id}}/access/update")
async def update_access_grants(request: web.Request) -> web.Response:
    principal = await _verified(request)
    form = await _form(request, AccessGrantsForm)
    chat = await request.app[CHATS].update_access_grants(
        principal,
        request.match_info["chat_id"],
        orjson.dumps(form.access_grants),
        share_mode=form.share_mode,
        share_mode_sent="share_mode" in form.model_fields_set,
    )
    return _chat_reply(chat)


@routes.post(f"{PREFIX}/{{id}}/share")
async def share(request: web.Request) -> web.Response:
    """The body is optional (Open WebUI's clients send none)."""
    principal = await _verified(request)
    form = await _form(request, ShareForm) if request.body_exists else ShareForm()
    chat = await request.app[CHATS].share(
        principal,
        _chat_id(request),
        share_mode=form.share_mode,
        share_mode_sent="share_mode" in form.model_fields_set,
    )
    return _chat_reply(chat)


@routes.delete(f"{PREFIX}/{{id}}/share")
async def unshare(request: web.Request) -> web.Response:
    principal = await _verified(request)
    return json_response(await request.app[CHATS].unshare(principal, _chat_id(request)))


@routes.post(f"{PREFIX}/{{id}}/clone/shared")
async def clone_shared(request: web.Request) -> web.Response:
    principal = await _verified(request)
    return _chat_reply(await request.app[CHATS].clone_shared(principal, _chat_id(request)))


# -- import, read state, admin views, config, statistics, and the other ``/{id}/…`` routes ---------
# Fixed paths (``/import``, ``/read``, ``/config``, …) are registered before ``/{id}``, which would
# match them otherwise.


async def _admin(request: web.Request) -> Principal:
    return await request.app[GUARD].require(request, Level.ADMIN)


@routes.post(f"{PREFIX}/import")
async def import_chats(request: web.Request) -> web.Response:
    # Open WebUI asks non-admins for the `chat.import` permission; there are no permission settings
    # here yet, and its default grants it.
    principal = await _verified(request)
    form = await _form(request, ChatsImportForm)
    chats = await request.app[CHATS].import_chats(principal, orjson.dumps(form.model_dump()))
    return json_response([chat_json(chat) for chat in chats])


@routes.post(f"{PREFIX}/read")
async def mark_read(request: web.Request) -> web.Response:
    principal = await _verified(request)
    reply = await request.app[CHATS].mark_read(principal)
    return json_response(
        {"updated_count": reply.updated_count, "folder_unread_counts": dict(reply.folder_unread_counts)}
    )


@routes.get(f"{PREFIX}/list/user/{{user_id}}")
async def user_chat_list(request: web.Request) -> web.Response:
    principal = await _admin(request)
    chats = await request.app[CHATS].user_chats(
        principal,
        request.match_info["user_id"],
        page=query_int(request, "page", 1),
        query=request.query.get("query", ""),
        order_by=request.query.get("order_by", ""),
        direction=request.query.get("direction", ""),
    )
    return json_response(summaries_json(chats))


@routes.get(f"{PREFIX}/all/db")
async def all_users_chats(request: web.Request) -> web.Response:
    principal = await _admin(request)
    call = request.app[CHATS].stream_all_users(principal)
    try:
        return json_response([chat_json(reply.chat) async for reply in call])
    except grpc.aio.AioRpcError as error:
        raise error_from_rpc(error) from None


@routes.get(f"{PREFIX}/config")
async def get_config(request: web.Request) -> web.Response:
    principal = await _admin(request)
    return raw_json_response(await request.app[CHATS].get_config(principal))


@routes.post(f"{PREFIX}/config")
async def set_config(request: web.Request) -> web.Response:
    principal = await _admin(request)
    form = await _form(request, ChatConfigForm)
    return raw_json_response(
        await request.app[CHATS].update_config(principal, orjson.dumps(form.model_dump()))
    )


@routes.get(f"{PREFIX}/stats/usage")
async def usage_stats(request: web.Request) -> web.Response:
    principal = await _verified(request)
    reply = await request.app[CHATS].usage_stats(
        principal, query_int(request, "page", 1), query_int(request, "items_per_page", 50)
    )
    return json_response({"items": [orjson.loads(item) for item in reply.items_json], "total": reply.total})


@routes.get(f"{PREFIX}/stats/export")
async def export_stats(request: web.Request) -> web.StreamResponse:
    """A page of 10 chats' statistics, or (``stream=true``) all of them as an NDJSON attachment; the
    first page is fetched before the head, so a refusal is a plain error reply."""
    principal = await _verified(request)
    chats = request.app[CHATS]
    updated_after = query_int(request, "updated_at", 0, minimum=0, maximum=2**63 - 1)
    if not query_bool(request, "stream"):
        page = query_int(request, "page", 1)
        reply = await chats.export_stats(principal, updated_after, page)
        items = [orjson.loads(item) for item in reply.items_json]
        return json_response({"type": "chats", "items": items, "total": reply.total, "page": page})
    first = await chats.export_stats(principal, updated_after, 1)
    response = web.StreamResponse(
        headers={
            "Content-Type": "application/x-ndjson",
            "Content-Disposition": f"attachment; filename=chat-stats-export-{principal.user.id}.jsonl",
        }
    )
    await response.prepare(request)

    async def lines() -> AsyncIterator[bytes]:
        reply, page = first, 1
        while reply.items_json:
            for item in reply.items_json:
                yield item + b"\n"
            page += 1
            reply = await chats.export_stats(principal, updated_after, page)

    return await write_rest(request, response, lines())


@routes.get(f"{PREFIX}/stats/export/{{chat_id}}")
async def export_chat_stats(request: web.Request) -> web.Response:
    principal = await _verified(request)
    return raw_json_response(
        await request.app[CHATS].export_chat_stats(principal, request.match_info["chat_id"])
    )


@routes.post(f"{PREFIX}/{{id}}/fork")
async def fork(request: web.Request) -> web.Response:
    principal = await _verified(request)
    # The body is optional (no body: the current message).
    message_id = (await _form(request, ForkForm)).message_id if request.body_exists else None
    return _chat_reply(await request.app[CHATS].fork(principal, _chat_id(request), message_id))


@routes.patch(f"{PREFIX}/{{id}}/params")
async def update_params(request: web.Request) -> web.Response:
    principal = await _verified(request)
    params = await read_json_object(request, request.app[SETTINGS].chat_max_bytes)
    return raw_json_response(await request.app[CHATS].update_params(principal, _chat_id(request), params))


@routes.post(f"{PREFIX}/{{id}}/unread")
async def mark_unread(request: web.Request) -> web.Response:
    principal = await _verified(request)
    reply = await request.app[CHATS].mark_unread(principal, _chat_id(request))
    return json_response(
        {
            "chat_id": reply.chat_id,
            "last_read_at": reply.last_read_at,
            "folder_id": reply.folder_id if reply.HasField("folder_id") else None,
            "folder_unread_counts": dict(reply.folder_unread_counts),
        }
    )


@routes.post(f"{PREFIX}/{{id}}/messages/{{message_id}}/event")
async def message_event(request: web.Request) -> web.Response:
    """Stored only: there is no Socket.IO here to pass the event on to the owner's open pages."""
    principal = await _verified(request)
    form = await _form(request, EventForm)
    sent = await request.app[CHATS].send_event(
        principal, _chat_id(request), request.match_info["message_id"], form.type, orjson.dumps(form.data)
    )
    return json_response(sent)


# -- one chat ----------------------------------------------------------------------------------


@routes.post(f"{PREFIX}/new")
async def create_chat(request: web.Request) -> web.Response:
    principal = await _verified(request)
    form = await _form(request, ChatForm)
    return _chat_reply(await request.app[CHATS].create(principal, orjson.dumps(form.model_dump())))


@routes.delete(f"{PREFIX}/")
async def delete_all(request: web.Request) -> web.Response:
    # Open WebUI also asks role `user` for the `chat.delete` permission; there are no permission
    # settings here yet, and its default grants it.
    principal = await _verified(request)
    return json_response(await request.app[CHATS].delete_all(principal))


@routes.get(f"{PREFIX}/{{id}}")
async def get_chat(request: web.Request) -> web.Response:
    principal = await _verified(request)
    return _chat_reply(await request.app[CHATS].get(principal, _chat_id(request)), share_mode=True)


@routes.post(f"{PREFIX}/{{id}}")
async def update_chat(request: web.Request) -> web.Response:
    principal = await _verified(request)
    form = await _form(request, ChatForm)
    chat = await request.app[CHATS].update(principal, _chat_id(request), orjson.dumps(form.model_dump()))
    return _chat_reply(chat)


@routes.delete(f"{PREFIX}/{{id}}")
async def delete_chat(request: web.Request) -> web.Response:
    principal = await _verified(request)
    return json_response(await request.app[CHATS].delete(principal, _chat_id(request)))


@routes.get(f"{PREFIX}/{{id}}/pinned")
async def is_pinned(request: web.Request) -> web.Response:
    principal = await _verified(request)
    return json_response(await request.app[CHATS].is_pinned(principal, _chat_id(request)))


@routes.post(f"{PREFIX}/{{id}}/pin")
async def pin(request: web.Request) -> web.Response:
    principal = await _verified(request)
    return _chat_reply(await request.app[CHATS].pin(principal, _chat_id(request)))


@routes.post(f"{PREFIX}/{{id}}/archive")
async def archive(request: web.Request) -> web.Response:
    principal = await _verified(request)
    return _chat_reply(await request.app[CHATS].archive(principal, _chat_id(request)))


@routes.post(f"{PREFIX}/{{id}}/clone")
async def clone(request: web.Request) -> web.Response:
    principal = await _verified(request)
    form = await _form(request, CloneForm)
    return _chat_reply(await request.app[CHATS].clone(principal, _chat_id(request), form.title))


@routes.post(f"{PREFIX}/{{id}}/folder")
async def move_to_folder(request: web.Request) -> web.Response:
    principal = await _verified(request)
    form = await _form(request, ChatFolderIdForm)
    return _chat_reply(await request.app[CHATS].move_to_folder(principal, _chat_id(request), form.folder_id))


@routes.get(f"{PREFIX}/{{id}}/tags")
async def chat_tags(request: web.Request) -> web.Response:
    principal = await _verified(request)
    return json_response(tags_json(await request.app[CHATS].chat_tags(principal, _chat_id(request))))


@routes.post(f"{PREFIX}/{{id}}/tags")
async def add_tag(request: web.Request) -> web.Response:
    principal = await _verified(request)
    form = await _form(request, TagForm)
    return json_response(tags_json(await request.app[CHATS].add_tag(principal, _chat_id(request), form.name)))


@routes.delete(f"{PREFIX}/{{id}}/tags")
async def remove_tag(request: web.Request) -> web.Response:
    principal = await _verified(request)
    form = await _form(request, TagForm)
    tags = await request.app[CHATS].remove_tag(principal, _chat_id(request), form.name)
    return json_response(tags_json(tags))


@routes.post(f"{PREFIX}/{{id}}/messages/{{message_id}}")
async def upsert_message(request: web.Request) -> web.Response:
    principal = await _verified(request)
    form = await _form(request, MessageForm)
    voice = orjson.dumps(form.voice) if form.voice is not None else b""
    chat = await request.app[CHATS].upsert_message(
        principal, _chat_id(request), request.match_info["message_id"], form.content, voice
    )
    return _chat_reply(chat)


@routes.delete(f"{PREFIX}/{{id}}/messages/{{message_id}}")
async def delete_message(request: web.Request) -> web.Response:
    principal = await _verified(request)
    chat = await request.app[CHATS].delete_message(
        principal, _chat_id(request), request.match_info["message_id"]
    )
    return _chat_reply(chat)
