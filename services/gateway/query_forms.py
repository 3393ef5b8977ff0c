"""Query strings validated by a pydantic model once, with FastAPI's 422 shape (``loc: ["query", …]``)."""

from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from services.gateway.http_errors import ApiError

M = TypeVar("M", bound=BaseModel)


def read_query(request: web.Request, model: type[M]) -> M:
    """The query parameters as ``model`` (the last value of a repeated one); unknown ones ignored."""
    try:
        return model.model_validate(dict(request.query.items()))
    except ValidationError as error:
        detail = []
        for item in error.errors(include_url=False):
            entry = {
                "type": item["type"],
                "loc": ["query", *item["loc"]],
                "msg": item["msg"],
                "input": item.get("input"),
            }
            if "ctx" in item:
                entry["ctx"] = {key: str(value) for key, value in item["ctx"].items()}
            detail.append(entry)
        raise ApiError(422, detail) from None
