"""``/api/v1/files``: search by name, counts, rename, replacing a file's text, and deleting every
file. Registered before ``files``: its literal paths (``/search``, ``/count``, ``/all``) must win
over ``/{file_id}``."""

from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel

from services.common import messages
from services.gateway.auth_guard import Level
from services.gateway.body import INT32_MAX, query_bool, read_model
from services.gateway.forms.files import FileContentForm, RenameFileForm
from services.gateway.http_errors import ApiError, json_response
from services.gateway.ingest_views import file_json
from services.gateway.state import FILE_OPS, GUARD, SETTINGS

routes = web.RouteTableDef()
M = TypeVar("M", bound=BaseModel)

# Open WebUI's bounds on `limit`.
SEARCH_LIMIT_MAX = 1000
# A glob longer than any file name is refused rather than matched.
PATTERN_MAX_CHARS = 1024
# The JSON body of a content update: within RAG_FILE_MAX_SIZE, and within one gRPC message (32 MiB)
# whatever that is set to.
_MIB = 1024 * 1024
CONTENT_BODY_MAX_BYTES = 30 * _MIB
_BODY_SLACK_BYTES = 64 * 1024


def _query_range_error(name: str, raw: str, bound: int, kind: str) -> ApiError:
    word = "greater" if kind == "greater_than_equal" else "less"
    return ApiError(
        422,
        [
            {
                "type": kind,
                "loc": ["query", name],
                "msg": f"Input should be {word} than or equal to {bound}",
                "input": raw,
                "ctx": {"ge" if word == "greater" else "le": bound},
            }
        ],
    )


def bounded_int(request: web.Request, name: str, default: int, minimum: int, maximum: int | None) -> int:
    """An integer query parameter within bounds, else FastAPI's 422 (not clamped: Open WebUI
    declares these with ``ge``/``le``)."""
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(
            422,
            [
                {
                    "type": "int_parsing",
                    "loc": ["query", name],
                    "msg": "Input should be a valid integer, unable to parse string as an integer",
                    "input": raw,
                }
            ],
        ) from None
    if value < minimum:
        raise _query_range_error(name, raw, minimum, "greater_than_equal")
    if maximum is not None and value > maximum:
        raise _query_range_error(name, raw, maximum, "less_than_equal")
    return value


def _flag(request: web.Request, name: str, default: bool) -> bool:
    return query_bool(request, name) if name in request.query else default


def _pattern(request: web.Request, default: str | None) -> str:
    raw = request.query.get("filename", default)
    if raw is None:
        missing = {"type": "missing", "loc": ["query", "filename"], "msg": "Field required", "input": None}
        raise ApiError(422, [missing])
    if len(raw) > PATTERN_MAX_CHARS:
        too_long = {
            "type": "string_too_long",
            "loc": ["query", "filename"],
            "msg": f"String should have at most {PATTERN_MAX_CHARS} characters",
            "input": raw[:64],
            "ctx": {"max_length": PATTERN_MAX_CHARS},
        }
        raise ApiError(422, [too_long])
    return raw


def _listed(files: list, content: bool) -> list[dict]:
    items = []
    for file in files:
        item = file_json(file)
        if not content and isinstance(item["data"], dict):
            item["data"].pop("content", None)
        items.append(item)
    return items


@routes.get("/api/v1/files/search")
async def search_files(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    pattern = _pattern(request, None)
    content = _flag(request, "content", True)
    skip = min(bounded_int(request, "skip", 0, 0, None), INT32_MAX)
    limit = bounded_int(request, "limit", 100, 1, SEARCH_LIMIT_MAX)
    files = await request.app[FILE_OPS].search_files(principal, pattern, content, skip, limit, own_only=False)
    if not files:
        raise ApiError(404, messages.NO_FILES_MATCH)
    return json_response(_listed(files, content))


@routes.get("/api/v1/files/user/search")
async def search_own_files(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    pattern = _pattern(request, "*")
    content = _flag(request, "content", False)
    skip = min(bounded_int(request, "skip", 0, 0, None), INT32_MAX)
    limit = bounded_int(request, "limit", 50, 1, SEARCH_LIMIT_MAX)
    files = await request.app[FILE_OPS].search_files(principal, pattern, content, skip, limit, own_only=True)
    return json_response(_listed(files, content))


@routes.get("/api/v1/files/count")
async def count_files(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    return json_response(await request.app[FILE_OPS].count_files(principal, own_only=False))


@routes.get("/api/v1/files/user/count")
async def count_own_files(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    return json_response(await request.app[FILE_OPS].count_files(principal, own_only=True))


@routes.delete("/api/v1/files/all")
async def delete_all_files(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    await request.app[FILE_OPS].delete_all_files(principal)
    return json_response({"message": messages.ALL_FILES_DELETED})


@routes.post("/api/v1/files/{file_id}/rename")
async def rename_file(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    form = await read_model(request, RenameFileForm, request.app[SETTINGS].ingest_max_body_bytes)
    file = await request.app[FILE_OPS].rename_file(principal, request.match_info["file_id"], form.filename)
    return json_response(file_json(file, path=True))


def content_body_limit(max_mb: int) -> int:
    return min(max_mb * _MIB, CONTENT_BODY_MAX_BYTES) + _BODY_SLACK_BYTES


async def read_content_form(request: web.Request, form_type: type[M]) -> M:
    """The body of a text replacement: past RAG_FILE_MAX_SIZE (or one message's worth) it is 413
    before it is read whole."""
    max_mb = request.app[SETTINGS].file_max_size_mb
    try:
        return await read_model(request, form_type, content_body_limit(max_mb))
    except ApiError as error:
        if error.status == 413:
            raise ApiError(413, messages.file_too_large(max_mb)) from None
        raise


@routes.post("/api/v1/files/{file_id}/data/content/update")
async def update_file_content(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    form = await read_content_form(request, FileContentForm)
    assert isinstance(form, FileContentForm)
    stored = await request.app[FILE_OPS].update_content(
        principal, request.match_info["file_id"], form.content
    )
    return json_response({"content": stored})
