"""The route-area table: which area of the API each HTTP route belongs to, and whether it only reads.

Every route of the gateway belongs to one area (``services.common.access``): ``chat`` (completions,
models, embeddings, retrieval queries, the Ollama and OpenAI model APIs), ``ingest`` (files and
knowledge), ``account`` (the caller's own session, password and keys), ``other`` (everything else:
chats, folders, tools, functions, workspace models, prompts, groups, users, administration) or
``public`` (what anyone may call without a credential, so a key of any kind may too). A route only
reads when it changes nothing stored and runs no model: GET, and the few POSTs listed in
``_POST_READS``. A ``read`` key may call only such routes.

The table names paths exactly, and whole resources by prefix where a resource lies wholly in one
area; tests/unit/test_key_scope.py fails when a route of the app matches neither. A route the table
does not know is refused to every key but a ``full`` one (fail closed). The gateway checks every
request against it (services/gateway/key_scope.py); InferenceService checks its ``/ollama`` and
``/openai`` pass-through calls against it too, since they reach it over gRPC as well.
"""

import re
from dataclasses import dataclass

from services.common import access
from services.common.identity import KEY_KIND_FULL, Identity

AREA_PUBLIC = "public"
CHAT, INGEST, ACCOUNT, OTHER, PUBLIC = (
    access.AREA_CHAT,
    access.AREA_INGEST,
    access.AREA_ACCOUNT,
    access.AREA_OTHER,
    AREA_PUBLIC,
)
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class RouteArea:
    area: str
    reads_only: bool


# Paths (aiohttp's canonical form) and their area.
_EXACT: dict[str, str] = {
    # anyone
    "/health": PUBLIC,
    "/ready": PUBLIC,
    "/metrics": PUBLIC,
    "/api/version": PUBLIC,
    "/api/config": PUBLIC,
    "/openapi.json": PUBLIC,
    "/docs": PUBLIC,
    "/docs/assets/{name}": PUBLIC,
    "/api/v1/auths/signup": PUBLIC,
    "/api/v1/auths/signin": PUBLIC,
    # the caller's own account
    "/api/v1/auths/": ACCOUNT,
    "/api/v1/auths/signout": ACCOUNT,
    "/api/v1/auths/update/password": ACCOUNT,
    "/api/v1/auths/api_key": ACCOUNT,
    "/api/v1/auths/api_keys": ACCOUNT,
    "/api/v1/auths/api_keys/{id}": ACCOUNT,
    "/api/v1/auths/add": OTHER,
    # usage reports: the caller's own, and how many users are active (a count, nothing of others')
    "/api/v1/users/usage": ACCOUNT,
    "/api/usage": ACCOUNT,
    # usage records (GET /api/v1/usage): a key's user's own, like the account routes
    "/api/v1/usage": ACCOUNT,
    # usage limits (admins set them; a key reaches them only as a full key)
    "/api/v1/usage/limits": OTHER,
    "/api/v1/usage/limits/{subject_type}/{subject_id}": OTHER,
    # models, completions, embeddings, retrieval queries
    "/api/models": CHAT,
    "/api/models/base": CHAT,
    "/api/chat/completions": CHAT,
    "/api/chat/completed": CHAT,
    "/api/v1/chat/completions": CHAT,
    "/api/v1/chat/completed": CHAT,
    "/api/embeddings": CHAT,
    "/api/v1/embeddings": CHAT,
    "/api/v1/retrieval/query/doc": CHAT,
    "/api/v1/retrieval/query/collection": CHAT,
    "/api/v1/tasks/config": OTHER,
    "/api/v1/tasks/config/update": OTHER,
    # Ollama's API: running and listing models is chat; managing them is administration
    "/ollama/": CHAT,
    "/ollama/api/version": CHAT,
    "/ollama/api/version/{url_idx}": CHAT,
    "/ollama/api/tags": CHAT,
    "/ollama/api/tags/{url_idx}": CHAT,
    "/ollama/api/ps": CHAT,
    "/ollama/api/show": CHAT,
    "/ollama/config": OTHER,
    "/ollama/config/update": OTHER,
    "/ollama/verify": OTHER,
    "/ollama/api/unload": OTHER,
    # the OpenAI-compatible API
    "/openai/models": CHAT,
    "/openai/models/{url_idx}": CHAT,
    "/openai/chat/completions": CHAT,
    "/openai/responses": CHAT,
    "/openai/audio/speech": CHAT,
    "/openai/{path}": CHAT,
    "/openai/config": OTHER,
    "/openai/config/update": OTHER,
    "/openai/verify": OTHER,
}
# Ollama routes that exist with and without a pinned upstream (``/{url_idx}``).
for _path in ("chat", "generate", "embed", "embeddings"):
    _EXACT[f"/ollama/api/{_path}"] = _EXACT[f"/ollama/api/{_path}/{{url_idx}}"] = CHAT
for _path in ("chat/completions", "completions", "embeddings", "messages", "responses", "models"):
    _EXACT[f"/ollama/v1/{_path}"] = _EXACT[f"/ollama/v1/{_path}/{{url_idx}}"] = CHAT
_MANAGING = ("api/pull", "api/push", "api/create", "api/copy", "api/delete", "models/download")
_MANAGING += ("models/upload",)
for _path in _MANAGING:
    _EXACT[f"/ollama/{_path}"] = _EXACT[f"/ollama/{_path}/{{url_idx}}"] = OTHER

# Resources that lie wholly in one area, by path prefix (the longest match wins).
_PREFIXES: tuple[tuple[str, str], ...] = (
    ("/api/v1/files/", INGEST),
    ("/api/v1/knowledge/", INGEST),
    # processing jobs and batches (our own API)
    ("/api/v1/ingest/", INGEST),
    # putting files and texts into collections (the queries above are CHAT)
    ("/api/v1/retrieval/process/", INGEST),
    ("/api/v1/tasks/", CHAT),
    ("/api/v1/chats/", OTHER),
    ("/api/v1/folders/", OTHER),
    ("/api/v1/functions/", OTHER),
    ("/api/v1/tools/", OTHER),
    ("/api/v1/models", OTHER),  # workspace models (presets), not the model list
    ("/api/v1/prompts/", OTHER),
    ("/api/v1/groups/", OTHER),
    ("/api/v1/users/", OTHER),
    ("/api/v1/auths/admin/", OTHER),
    ("/api/v1/analytics/", OTHER),
)
_PREFIXES = tuple(sorted(_PREFIXES, key=lambda item: len(item[0]), reverse=True))

# POST routes that change nothing stored and run no model.
_POST_READS = frozenset(
    {
        "/api/v1/retrieval/query/doc",
        "/api/v1/retrieval/query/collection",
        "/ollama/api/show",
    }
)


def route_area(method: str, path: str) -> RouteArea | None:
    """The area of the route ``method path`` (``path`` as aiohttp's canonical form), or None."""
    area = _EXACT.get(path)
    if area is None:
        matches = (a for prefix, a in _PREFIXES if path.startswith(prefix) or path == prefix.rstrip("/"))
        area = next(matches, None)
    if area is None:
        return None
    method = method.upper()
    return RouteArea(area, method in _READ_METHODS or (method == "POST" and path in _POST_READS))


def refusal(identity: Identity, found: RouteArea | None, method: str, path: str) -> str | None:
    """Why ``identity``'s key may not call the route, or None when it may."""
    scope = identity.scope
    if scope is None or scope.kind == KEY_KIND_FULL:
        return None
    if found is None:
        return access.scope_refusal(identity, f"{method} {path} (a route outside every scope)").detail
    if found.area == PUBLIC or access.key_allows_area(identity, found.area, found.reads_only):
        return None
    what = f"{method} {path}" + ("" if found.reads_only else " (it changes data or runs a model)")
    return access.scope_refusal(identity, what).detail


_PINNED = re.compile(r"/\d+$")


def proxy_route(backend: str, path: str) -> str:
    """The table's path of a ``/ollama`` or ``/openai`` pass-through call (``path`` as the gateway
    passes it on, ``/{url_idx}`` filled in); any other OpenAI path is the catch-all's."""
    full = f"/{backend}{path if path.startswith('/') else '/' + path}"
    if full in _EXACT:
        return full
    pinned = _PINNED.sub("/{url_idx}", full)
    if pinned in _EXACT:
        return pinned
    return "/openai/{path}" if backend == "openai" else full
