"""``/api/v1/chats/*``: stored chats (ChatsService, in the inference service).

Fixed paths (``/all``, ``/pinned``, ``/search``, …) are matched before ``/{id}``, as in Open WebUI,
whatever order they are registered in (aiohttp tries longer fixed prefixes first)."""

from typing import TypeVar

import grpc
import orjson
from aiohttp import web
from pydantic import BaseModel

from services.gateway.auth_guard import Level, Principal
from services.gateway.body import INT32_MAX, query_bool, query_int, read_model
from services.gateway.chat_views import chat_json, summaries_json, tags_json
from services.gateway.forms.chats import ChatForm, CloneForm, MessageForm, TagFilterForm, TagForm
from services.gateway.forms.folders import ChatFolderIdForm
from services.gateway.http_errors import ApiError, error_from_rpc, json_response
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
