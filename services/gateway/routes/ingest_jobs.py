"""``/api/v1/ingest``: processing jobs and batches (our own API, docs/ingest-jobs.md): list, read,
cancel and retry jobs; create, read, cancel and retry batches. A user sees their own; an admin all."""

from aiohttp import web

from services.gateway.auth_guard import Level, Principal
from services.gateway.body import read_model
from services.gateway.forms.ingest_jobs import BatchCreateForm, JobListQuery
from services.gateway.http_errors import json_response
from services.gateway.ingest_jobs_views import STATE_VALUES, batch_json, job_json, job_list_json
from services.gateway.query_forms import read_query
from services.gateway.state import GUARD, INGEST_JOBS, SETTINGS

routes = web.RouteTableDef()


async def _verified(request: web.Request) -> Principal:
    return await request.app[GUARD].require(request, Level.VERIFIED)


@routes.get("/api/v1/ingest/jobs")
async def list_jobs(request: web.Request) -> web.Response:
    principal = await _verified(request)
    query = read_query(request, JobListQuery)
    page = await request.app[INGEST_JOBS].list_jobs(
        principal,
        STATE_VALUES[query.state] if query.state else 0,
        query.batch_id or "",
        query.file_id or "",
        query.page,
    )
    return json_response(job_list_json(page))


@routes.get("/api/v1/ingest/jobs/{job_id}")
async def get_job(request: web.Request) -> web.Response:
    principal = await _verified(request)
    job = await request.app[INGEST_JOBS].get_job(principal, request.match_info["job_id"])
    return json_response(job_json(job))


@routes.post("/api/v1/ingest/jobs/{job_id}/cancel")
async def cancel_job(request: web.Request) -> web.Response:
    principal = await _verified(request)
    job = await request.app[INGEST_JOBS].cancel_job(principal, request.match_info["job_id"])
    return json_response(job_json(job))


@routes.post("/api/v1/ingest/jobs/{job_id}/retry")
async def retry_job(request: web.Request) -> web.Response:
    principal = await _verified(request)
    job = await request.app[INGEST_JOBS].retry_job(principal, request.match_info["job_id"])
    return json_response(job_json(job))


@routes.post("/api/v1/ingest/batches")
async def create_batch(request: web.Request) -> web.Response:
    principal = await _verified(request)
    if request.body_exists:
        form = await read_model(request, BatchCreateForm, request.app[SETTINGS].ingest_max_body_bytes)
    else:
        form = BatchCreateForm()
    batch = await request.app[INGEST_JOBS].create_batch(principal, form.callback_url or "")
    return json_response(batch_json(batch))


@routes.get("/api/v1/ingest/batches/{batch_id}")
async def get_batch(request: web.Request) -> web.Response:
    principal = await _verified(request)
    batch = await request.app[INGEST_JOBS].get_batch(principal, request.match_info["batch_id"])
    return json_response(batch_json(batch))


@routes.post("/api/v1/ingest/batches/{batch_id}/cancel")
async def cancel_batch(request: web.Request) -> web.Response:
    principal = await _verified(request)
    reply = await request.app[INGEST_JOBS].cancel_batch(principal, request.match_info["batch_id"])
    return json_response({"cancelled": reply.cancelled, "batch": batch_json(reply.batch)})


@routes.post("/api/v1/ingest/batches/{batch_id}/retry")
async def retry_batch(request: web.Request) -> web.Response:
    principal = await _verified(request)
    reply = await request.app[INGEST_JOBS].retry_batch(principal, request.match_info["batch_id"])
    return json_response({"retried": reply.retried, "batch": batch_json(reply.batch)})
