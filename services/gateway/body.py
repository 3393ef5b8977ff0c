"""Reads and validates request bodies and query values, failing the way FastAPI does (422)."""

import json
from typing import TypeVar

import orjson
from aiohttp import web
from pydantic import BaseModel, ValidationError

from services.common import messages
from services.common.json_limits import too_many_values
from services.gateway.http_errors import ApiError
from services.gateway.state import BODY_BUDGET, SETTINGS

M = TypeVar("M", bound=BaseModel)


async def read_body(request: web.Request, max_bytes: int) -> bytes:
    """The whole body, refusing (413) more than ``max_bytes`` without reading past the limit; a
    large one waits for room in the body budget first (503 when none comes)."""
    if request.content_length is not None and request.content_length > max_bytes:
        raise ApiError(413, messages.BODY_TOO_LARGE)
    budget = request.app.get(BODY_BUDGET)
    if budget is not None and request.content_length:
        await budget.claim(request, request.content_length)
    chunks = []
    size = 0
    try:
        async for chunk in request.content.iter_chunked(64 * 1024):
            size += len(chunk)
            if size > max_bytes:
                raise ApiError(413, messages.BODY_TOO_LARGE)
            if budget is not None:
                # Past a declared length (a chunked or compressed body): claimed as it arrives.
                budget.extend(request, size)
            chunks.append(chunk)
    except web.RequestPayloadError:
        # E.g. a `Content-Encoding: gzip` body that is not gzip.
        raise ApiError(400, messages.BODY_PARSE_ERROR) from None
    return b"".join(chunks)


def _clean(errors: list[dict]) -> list[dict]:
    cleaned = []
    for item in errors:
        entry = {
            "type": item["type"],
            "loc": ["body", *item["loc"]],
            "msg": item["msg"],
            "input": item.get("input"),
        }
        if "ctx" in item:
            entry["ctx"] = {k: str(v) for k, v in item["ctx"].items()}
        cleaned.append(entry)
    return cleaned


# The deepest nesting orjson writes back (it reads up to 1024 levels): the services write what they
# are given with it, so a body nested deeper is refused here rather than failing inside them.
MAX_JSON_DEPTH = 254


def _stdlib_json_error(raw: bytes) -> tuple[int, str]:
    try:
        json.loads(raw)
    except json.JSONDecodeError as error:
        return error.pos, error.msg
    except (UnicodeDecodeError, ValueError) as error:
        return 0, str(error)
    except RecursionError:
        return 0, messages.JSON_TOO_DEEP
    return 0, "Invalid JSON"


def _json_invalid(position: int, message: str) -> ApiError:
    return ApiError(
        422,
        [
            {
                "type": "json_invalid",
                "loc": ["body", position],
                "msg": "JSON decode error",
                "input": {},
                "ctx": {"error": message},
            }
        ],
    )


def _too_deep(raw: bytes, data: object) -> bool:
    # Only a body with that many brackets can be nested that deep: most are never written here.
    if raw.count(b"[") + raw.count(b"{") <= MAX_JSON_DEPTH:
        return False
    try:
        orjson.dumps(data)
    except (TypeError, orjson.JSONEncodeError):
        return True
    return False


def check_json_values(raw: bytes, max_values: int) -> None:
    """413 when the JSON text ``raw`` holds more than ``max_values`` values, before it is parsed."""
    if too_many_values(raw, max_values):
        raise ApiError(413, messages.JSON_TOO_MANY_VALUES)


def parse_json(raw: bytes, max_values: int) -> object:
    """``raw`` as JSON, or the 422 FastAPI answers for an invalid or missing body (and for one
    nested deeper than MAX_JSON_DEPTH); 413 for one with more than ``max_values`` values."""
    check_json_values(raw, max_values)
    try:
        data = orjson.loads(raw) if raw.strip() else None
    except orjson.JSONDecodeError:
        # orjson is the fast path; the error text and position are stdlib json's, as FastAPI's are.
        raise _json_invalid(*_stdlib_json_error(raw)) from None
    if data is None:
        raise ApiError(422, [{"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}])
    if _too_deep(raw, data):
        raise _json_invalid(0, messages.JSON_TOO_DEEP)
    return data


async def read_model(request: web.Request, model: type[M], max_bytes: int) -> M:
    """The body parsed as JSON into ``model``; unknown fields are ignored."""
    data = parse_json(await read_body(request, max_bytes), request.app[SETTINGS].json_max_values)
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ApiError(422, _clean(error.errors(include_url=False))) from None


async def read_json_object(request: web.Request, max_bytes: int) -> bytes:
    """The raw body, checked to be a JSON object (a FastAPI ``dict`` parameter), else 422."""
    raw = await read_body(request, max_bytes)
    data = parse_json(raw, request.app[SETTINGS].json_max_values)
    if not isinstance(data, dict):
        raise ApiError(
            422,
            [
                {
                    "type": "dict_type",
                    "loc": ["body"],
                    "msg": "Input should be a valid dictionary",
                    "input": data,
                }
            ],
        )
    return raw


# Query integers go into int32 proto fields: larger ones are clamped (a page past the end is empty).
INT32_MAX = 2**31 - 1


def query_int(
    request: web.Request, name: str, default: int, minimum: int = 1, maximum: int = INT32_MAX
) -> int:
    """An integer query parameter clamped to ``[minimum, maximum]``, 422 when it is not one."""
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _query_error(
            "int_parsing", name, "Input should be a valid integer, unable to parse string as an integer", raw
        ) from None
    return min(max(value, minimum), maximum)


_TRUE = ("true", "1", "yes", "on", "t", "y")
_FALSE = ("false", "0", "no", "off", "f", "n")


def query_bool(request: web.Request, name: str) -> bool:
    """A boolean query parameter as FastAPI parses one (422 otherwise); absent is false."""
    raw = request.query.get(name)
    if raw is None or raw.lower() in _FALSE:
        return False
    if raw.lower() in _TRUE:
        return True
    raise _query_error(
        "bool_parsing", name, "Input should be a valid boolean, unable to interpret input", raw
    )


def _query_error(kind: str, name: str, message: str, raw: str) -> ApiError:
    return ApiError(422, [{"type": kind, "loc": ["query", name], "msg": message, "input": raw}])
