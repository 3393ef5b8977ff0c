"""Reads and validates request bodies and query values, failing the way FastAPI does (422)."""

import json
from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from services.common import messages
from services.gateway.http_errors import ApiError

M = TypeVar("M", bound=BaseModel)


async def read_body(request: web.Request, max_bytes: int) -> bytes:
    """The whole body, refusing (413) more than ``max_bytes`` without reading past the limit."""
    if request.content_length is not None and request.content_length > max_bytes:
        raise ApiError(413, messages.BODY_TOO_LARGE)
    chunks = []
    size = 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > max_bytes:
            raise ApiError(413, messages.BODY_TOO_LARGE)
        chunks.append(chunk)
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


async def read_model(request: web.Request, model: type[M], max_bytes: int) -> M:
    """The body parsed as JSON into ``model``; unknown fields are ignored."""
    raw = await read_body(request, max_bytes)
    try:
        data = json.loads(raw) if raw.strip() else None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        position = getattr(error, "pos", 0)
        raise ApiError(
            422,
            [
                {
                    "type": "json_invalid",
                    "loc": ["body", position],
                    "msg": "JSON decode error",
                    "input": {},
                    "ctx": {"error": getattr(error, "msg", str(error))},
                }
            ],
        ) from None
    if data is None:
        raise ApiError(422, [{"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}])
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ApiError(422, _clean(error.errors(include_url=False))) from None


def query_int(request: web.Request, name: str, default: int, minimum: int = 1) -> int:
    """An integer query parameter, 422 when it is not one."""
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
    return max(value, minimum)
