"""``/api/v1/retrieval``: vector search over a file's or a collection's chunks."""

from aiohttp import web

from services.gateway.auth_guard import Level
from services.gateway.body import read_model
from services.gateway.forms.retrieval import QueryCollectionsForm, QueryDocForm
from services.gateway.http_errors import json_response
from services.gateway.ingest_views import search_json
from services.gateway.state import GUARD, INGEST, SETTINGS

routes = web.RouteTableDef()

_INT32_MAX = 2**31 - 1


def top_k(k: int | None) -> int:
    """The service's ``k``: 0 (its RAG_TOP_K) when none or a non-positive one is given."""
    return min(k, _INT32_MAX) if k and k > 0 else 0


@routes.post("/api/v1/retrieval/query/doc")
async def query_doc(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    form = await read_model(request, QueryDocForm, request.app[SETTINGS].ingest_max_body_bytes)
    hits = await request.app[INGEST].search(principal, [form.collection_name], [form.query], top_k(form.k))
    return json_response(search_json(hits))


@routes.post("/api/v1/retrieval/query/collection")
async def query_collection(request: web.Request) -> web.Response:
    principal = await request.app[GUARD].require(request, Level.VERIFIED)
    form = await read_model(request, QueryCollectionsForm, request.app[SETTINGS].ingest_max_body_bytes)
    hits = await request.app[INGEST].search(principal, form.collection_names, [form.query], top_k(form.k))
    return json_response(search_json(hits))
