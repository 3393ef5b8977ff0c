"""A chat form's JSON bytes read once: parsed, validated (a 400 naming the first bad field), and
refused when it holds a NUL that PostgreSQL could not store."""

from typing import TypeVar

import orjson
from pydantic import BaseModel, ValidationError

from services.common import errors, messages
from services.common.forms.types import has_nul

M = TypeVar("M", bound=BaseModel)


def invalid(error: ValidationError) -> errors.InvalidArgument:
    """The first problem of a form, naming its field (``chat.history: …``)."""
    first = error.errors(include_url=False)[0]
    where = ".".join(str(part) for part in first["loc"]) or "form"
    return errors.InvalidArgument(f"{where}: {first['msg']}")


def parse_form(raw: bytes, form: type[M]) -> M:
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise errors.InvalidArgument("form_json must be a JSON object") from None
    try:
        parsed = form.model_validate(data)
    except ValidationError as error:
        raise invalid(error) from None
    if has_nul(data):
        raise errors.InvalidArgument(messages.FUNCTION_NOT_STORABLE)
    return parsed
