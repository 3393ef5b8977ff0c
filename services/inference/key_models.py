"""An API key's model allow-list (``KeyScope.model_ids``), wherever a model is named or listed.

Completions resolve their model through ``ModelDirectory.target`` (checked there); this module
covers the rest: embeddings, tasks, and the Ollama and OpenAI pass-through routes, whose requests
name a model in their body and whose model lists are cut down to the allowed models.
"""

import contextlib
import re
from collections.abc import AsyncIterator

import orjson

from services.common import access
from services.common.identity import Identity
from services.inference.replies import Head, Part

# Body fields that name the model a pass-through request runs or shows.
_MODEL_FIELDS = ("model", "name")
# Pass-through paths whose reply lists models (an optional ``/{url_idx}`` after them).
_LISTINGS = {
    "ollama": ("/api/tags", "/api/ps", "/v1/models"),
    "openai": ("/models",),
}
_PINNED = re.compile(r"/\d+$")


def limited(caller: Identity) -> bool:
    """Whether the caller's key names the models it may use."""
    return caller.scope is not None and bool(caller.scope.model_ids)


def require_model(caller: Identity, model_id: object) -> None:
    """403 naming the key's scope when its allow-list leaves ``model_id`` out."""
    if not limited(caller) or not isinstance(model_id, str) or not model_id:
        return
    if not access.key_allows_model(caller, model_id):
        raise access.scope_refusal(caller, f"the model {model_id!r}")


def require_body_models(caller: Identity, body: bytes) -> None:
    """Checks the models a JSON request body names (``model``, Ollama's ``name``)."""
    if not limited(caller) or not body:
        return
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        return  # the route answers for a body that is not JSON
    if isinstance(value, dict):
        for field in _MODEL_FIELDS:
            require_model(caller, value.get(field))


def is_listing(backend: str, path: str) -> bool:
    return _PINNED.sub("", path.rstrip("/")) in _LISTINGS.get(backend, ())


def _entry_id(entry: object) -> str:
    if not isinstance(entry, dict):
        return ""
    for field in ("id", "model", "name"):
        value = entry.get(field)
        if isinstance(value, str) and value:
            return value
    return ""


def allowed_listing(caller: Identity, value: object) -> object:
    """An Ollama (``{"models": [...]}``) or OpenAI (``{"data": [...]}``) model list, cut down to the
    models the key may use."""
    if not isinstance(value, dict):
        return value
    kept = dict(value)
    for field in ("models", "data"):
        entries = value.get(field)
        if isinstance(entries, list):
            kept[field] = [e for e in entries if access.key_allows_model(caller, _entry_id(e))]
    return kept


async def filtered_listing(caller: Identity, parts: AsyncIterator[Part]) -> AsyncIterator[Part]:
    """A model-list reply with only the allowed models; other replies (errors) pass unchanged."""
    head: Head | None = None
    chunks: list[bytes] = []
    async for part in parts:
        if isinstance(part, Head):
            head = part
        else:
            chunks.append(part)
    body = b"".join(chunks)
    if head is not None and head.status == 200:
        with contextlib.suppress(orjson.JSONDecodeError):
            body = orjson.dumps(allowed_listing(caller, orjson.loads(body)))
    if head is not None:
        yield Head(head.status, {k: v for k, v in head.headers.items() if k.lower() != "content-length"})
    yield body
