"""What an API key's kind lets through over gRPC, by RPC: the services' side of the route-area table.

A script may call the gRPC APIs with an sk- key directly (docs/grpc.md), so a key's kind is checked
by every server's interceptor too, not only by the gateway. Each RPC belongs to the area of the
routes that call it (``services.common.key_routes``): a service's area, with the RPCs listed in
``_METHOD_AREA`` apart. An RPC only reads when its name says it does (Get, List, Search, …).
``InferenceService.Proxy`` carries an HTTP method and path: InferenceService checks it against the
route table itself (``proxy_refusal``), so the interceptor lets it through.
"""

from services.common import access
from services.common.errors import PermissionDenied
from services.common.identity import KEY_KIND_FULL, Identity
from services.common.key_routes import ACCOUNT, CHAT, INGEST, OTHER, proxy_route, refusal, route_area

_SERVICE_AREA = {
    "webui.auth.v1.AuthService": ACCOUNT,
    "webui.auth.v1.ApiKeysService": ACCOUNT,
    "webui.auth.v1.AdminConfigService": OTHER,
    "webui.auth.v1.GroupsService": OTHER,
    "webui.inference.v1.InferenceService": OTHER,
    "webui.inference.v1.ChatsService": OTHER,
    "webui.inference.v1.AnalyticsService": OTHER,
    # Usage records: a key reads its own user's usage, as the account routes do.
    "webui.inference.v1.UsageService": ACCOUNT,
    "webui.inference.v1.FoldersService": OTHER,
    "webui.inference.v1.PromptsService": OTHER,
    # Usage limits: administration.
    "webui.inference.v1.QuotasService": OTHER,
    "webui.inference.v1.ToolsService": OTHER,
    # The group preview: administration.
    "webui.inference.v1.GroupReachService": OTHER,
    "webui.ingest.v1.IngestService": INGEST,
    "webui.ingest.v1.IngestJobsService": INGEST,
    "webui.ingest.v1.FileOpsService": INGEST,
    "webui.ingest.v1.KnowledgeSearchService": INGEST,
    "webui.ingest.v1.KnowledgeSyncService": INGEST,
    "webui.ingest.v1.RetrievalProcessingService": INGEST,
    # The group preview: administration.
    "webui.ingest.v1.IngestGroupReachService": OTHER,
}
_METHOD_AREA = {
    # user administration
    "webui.auth.v1.AuthService/AddUser": OTHER,
    "webui.auth.v1.AuthService/ListUsers": OTHER,
    "webui.auth.v1.AuthService/UpdateUser": OTHER,
    "webui.auth.v1.AuthService/DeleteUser": OTHER,
    # lookups services make for the caller on any route (which group ids exist, the caller's groups)
    "webui.auth.v1.GroupsService/GetGroups": ACCOUNT,
    "webui.auth.v1.GroupsService/ListUserGroups": ACCOUNT,
    # the caller's own usage report (`/api/v1/users/usage`), any key kind, as the route
    "webui.inference.v1.AnalyticsService/GetUserUsage": ACCOUNT,
    # models, completions, embeddings, tasks
    "webui.inference.v1.InferenceService/ListModels": CHAT,
    "webui.inference.v1.InferenceService/ChatCompletion": CHAT,
    "webui.inference.v1.InferenceService/ChatCompleted": CHAT,
    "webui.inference.v1.InferenceService/Embeddings": CHAT,
    "webui.inference.v1.InferenceService/RunTask": CHAT,
    # retrieval (queries, and RAG on behalf of a chat)
    "webui.ingest.v1.IngestService/Search": CHAT,
    "webui.ingest.v1.IngestService/ReadDocuments": CHAT,
}
# Checked by InferenceService against the HTTP route table (the method and path are in the request).
PROXY_METHOD = "webui.inference.v1.InferenceService/Proxy"
_READ_PREFIXES = (
    "Get",
    "List",
    "Search",
    "Count",
    "Export",
    "Stream",
    "Watch",
    "Read",
    "Diff",
    "Preview",
    "Query",
)


def rpc_area(method: str) -> tuple[str, bool] | None:
    """(area, reads only) of ``/package.Service/Method``, or None for a service the table lacks."""
    name = method.lstrip("/")
    service, _, rpc = name.partition("/")
    area = _METHOD_AREA.get(name) or _SERVICE_AREA.get(service)
    if area is None:
        return None
    return area, rpc.startswith(_READ_PREFIXES)


def rpc_refusal(method: str, identity: Identity) -> PermissionDenied | None:
    """The 403 for a call its key's kind does not reach, or None."""
    scope = identity.scope
    if scope is None or scope.kind == KEY_KIND_FULL or method.lstrip("/") == PROXY_METHOD:
        return None
    found = rpc_area(method)
    if found is None:
        return access.scope_refusal(identity, f"{method} (outside every scope)")
    area, reads_only = found
    if access.key_allows_area(identity, area, reads_only):
        return None
    return access.scope_refusal(
        identity, method + ("" if reads_only else " (it changes data or runs a model)")
    )


def proxy_refusal(identity: Identity, backend: str, method: str, path: str) -> str | None:
    """Why the key may not make this pass-through call, by the HTTP route table, or None."""
    route = proxy_route(backend, path)
    return refusal(identity, route_area(method, route), method, route)
