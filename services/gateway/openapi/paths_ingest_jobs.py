"""OpenAPI paths of processing jobs and batches (``/api/v1/ingest/…``, our own API)."""

from typing import Any

from services.gateway.forms.ingest_jobs import BatchCreateForm
from services.gateway.openapi.common import BACKEND_ERRORS, operation, path_param, query_param, ref
from services.gateway.openapi.form_schemas import form_ref, form_schemas

_TAG = "ingest jobs"
_JOB_ID = path_param("job_id", "The job's id")
_BATCH_ID = path_param("batch_id", "The batch's id")
_TIMESTAMP: dict[str, Any] = {"type": "integer", "description": "Unix time in seconds"}
_MAYBE_TIMESTAMP: dict[str, Any] = {"type": ["integer", "null"], "description": "Unix time in seconds"}
_STATES = ["queued", "running", "completed", "failed", "cancelled"]
_OWN = "A user reaches their own jobs and batches, an admin everyone's; anything else is 404."

SCHEMAS: dict[str, dict[str, Any]] = {
    "IngestJob": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "file_id": {"type": "string"},
            "filename": {"type": "string"},
            "batch_id": {"type": ["string", "null"]},
            "user_id": {"type": "string"},
            "state": {"type": "string", "enum": _STATES},
            "attempts": {"type": "integer", "description": "Deliveries to a worker so far"},
            "error": {"type": ["string", "null"]},
            "retry_of": {"type": ["string", "null"], "description": "The job this one retries"},
            "has_callback": {"type": "boolean"},
            "created_at": _TIMESTAMP,
            "started_at": _MAYBE_TIMESTAMP,
            "finished_at": _MAYBE_TIMESTAMP,
        },
        "required": ["id", "file_id", "state", "attempts", "created_at"],
    },
    "IngestJobList": {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/IngestJob"}},
            "total": {"type": "integer"},
        },
        "required": ["items", "total"],
    },
    "IngestBatch": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "user_id": {"type": "string"},
            "created_at": _TIMESTAMP,
            "total": {"type": "integer"},
            "counts": {
                "type": "object",
                "properties": {state: {"type": "integer"} for state in _STATES},
                "description": "Its jobs by state",
            },
            "finished": {"type": "boolean", "description": "Every job of a non-empty batch has ended"},
            "has_callback": {"type": "boolean"},
        },
        "required": ["id", "total", "counts", "finished"],
    },
    **form_schemas(BatchCreateForm),
}


def _batch_count(key: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {key: {"type": "integer"}, "batch": ref("IngestBatch")},
        "required": [key, "batch"],
    }


PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/ingest/jobs": {
        "get": operation(
            "List processing jobs, newest first (50 a page)",
            tag=_TAG,
            description=f"{_OWN} Filters combine.",
            ok=ref("IngestJobList"),
            parameters=[
                query_param("state", {"type": "string", "enum": _STATES}, "Only jobs in this state"),
                query_param("batch_id", {"type": "string", "maxLength": 255}, "Only jobs of this batch"),
                query_param("file_id", {"type": "string", "maxLength": 255}, "Only jobs of this file"),
                query_param("page", {"type": "integer", "minimum": 1, "default": 1}, "From 1"),
            ],
            errors=(*BACKEND_ERRORS, 422),
        ),
    },
    "/api/v1/ingest/jobs/{job_id}": {
        "get": operation(
            "Read a processing job",
            tag=_TAG,
            description=_OWN,
            ok=ref("IngestJob"),
            parameters=[_JOB_ID],
            errors=(*BACKEND_ERRORS, 404),
        ),
    },
    "/api/v1/ingest/jobs/{job_id}/cancel": {
        "post": operation(
            "Cancel a queued or running job",
            tag=_TAG,
            description=f"{_OWN} A queued job never runs; a running one stops before its next slice of "
            "embeddings or its commit; its file's status becomes `cancelled`. A job that has ended is "
            "returned unchanged.",
            ok=ref("IngestJob"),
            parameters=[_JOB_ID],
            errors=(*BACKEND_ERRORS, 404),
        ),
    },
    "/api/v1/ingest/jobs/{job_id}/retry": {
        "post": operation(
            "Queue a failed or cancelled job again (as a new job)",
            tag=_TAG,
            description=f"{_OWN} 400 for a job that is queued, running or completed. The new job keeps "
            "the batch and callback and names the old one in `retry_of`.",
            ok=ref("IngestJob"),
            parameters=[_JOB_ID],
            errors=(*BACKEND_ERRORS, 400, 404),
        ),
    },
    "/api/v1/ingest/batches": {
        "post": operation(
            "Create a batch that uploads may join (`POST /api/v1/files/?batch_id=…`)",
            tag=_TAG,
            description="With `callback_url`, a signed callback is POSTed when every job of the batch has "
            "ended (docs/ingest-jobs.md); 400 when its host is not on INGEST_CALLBACK_ALLOWED_HOSTS. "
            "The body may be empty.",
            ok=ref("IngestBatch"),
            body=form_ref(BatchCreateForm),
            body_required=False,
            errors=(*BACKEND_ERRORS, 400, 413, 422),
        ),
    },
    "/api/v1/ingest/batches/{batch_id}": {
        "get": operation(
            "Read a batch with its jobs counted by state",
            tag=_TAG,
            description=_OWN,
            ok=ref("IngestBatch"),
            parameters=[_BATCH_ID],
            errors=(*BACKEND_ERRORS, 404),
        ),
    },
    "/api/v1/ingest/batches/{batch_id}/cancel": {
        "post": operation(
            "Cancel every queued or running job of a batch",
            tag=_TAG,
            description=f"{_OWN} One statement, whatever the batch's size.",
            ok=_batch_count("cancelled"),
            parameters=[_BATCH_ID],
            errors=(*BACKEND_ERRORS, 404),
        ),
    },
    "/api/v1/ingest/batches/{batch_id}/retry": {
        "post": operation(
            "Queue again every failed job of a batch not retried yet",
            tag=_TAG,
            description=_OWN,
            ok=_batch_count("retried"),
            parameters=[_BATCH_ID],
            errors=(*BACKEND_ERRORS, 404),
        ),
    },
}
