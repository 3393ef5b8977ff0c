"""The ``/ollama`` and ``/openai`` pass-through routes and who may call each, for gateway and inference."""

import enum
from dataclasses import dataclass


class Access(enum.Enum):
    """Who may call a route: any user or admin (Open WebUI's verified), or admins only."""

    VERIFIED = "verified"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class ProxyRoute:
    """``methods`` on ``path`` at level ``plain``; ``path/{url_idx}`` at ``with_idx`` (None: no such form)."""

    methods: tuple[str, ...]
    path: str
    plain: Access
    with_idx: Access | None


def _route(methods: str, path: str, plain: Access, with_idx: Access | None) -> ProxyRoute:
    return ProxyRoute(tuple(methods.split()), path, plain, with_idx)


_V, _A = Access.VERIFIED, Access.ADMIN

# The gateway checks these levels before any gRPC call (answering as Open WebUI does), and
# InferenceService checks them again because internal callers reach it directly; one table keeps
# the two from drifting. Paths are below the prefix (/ollama, /openai).
OLLAMA = (
    _route("POST", "/verify", _A, None),
    _route("GET", "/config", _A, None),
    _route("POST", "/config/update", _A, None),
    _route("POST", "/models/download", _A, _A),
    _route("POST", "/models/upload", _A, _A),
    _route("GET", "/api/tags", _V, _A),
    _route("GET", "/api/ps", _A, None),
    _route("GET", "/api/version", _V, _A),
    _route("POST", "/api/unload", _A, None),
    _route("POST", "/api/pull", _A, _A),
    # Open WebUI serves push as DELETE; Ollama's clients send POST. Both are accepted.
    _route("DELETE POST", "/api/push", _A, _A),
    _route("POST", "/api/create", _A, _A),
    _route("POST", "/api/copy", _A, _A),
    _route("DELETE", "/api/delete", _A, _A),
    _route("POST", "/api/show", _V, None),
    _route("POST", "/api/embed", _V, _V),
    _route("POST", "/api/embeddings", _V, _V),
    _route("POST", "/api/generate", _V, _V),
    _route("POST", "/api/chat", _V, _V),
    _route("POST", "/v1/completions", _V, _V),
    _route("POST", "/v1/chat/completions", _V, _V),
    _route("POST", "/v1/embeddings", _V, _V),
    _route("POST", "/v1/messages", _V, _V),
    _route("POST", "/v1/responses", _V, _V),
    _route("GET", "/v1/models", _V, _A),
)

OPENAI = (
    _route("GET", "/config", _A, None),
    _route("POST", "/config/update", _A, None),
    _route("POST", "/verify", _A, None),
    _route("GET", "/models", _V, _V),
    _route("POST", "/chat/completions", _V, None),
    _route("POST", "/responses", _V, None),
    _route("POST", "/audio/speech", _V, None),
)

# Any other /openai path: the pass-through, which InferenceService relays only when
# ENABLE_OPENAI_API_PASSTHROUGH is set.
OPENAI_OTHER_PATHS = _V
