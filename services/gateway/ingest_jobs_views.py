"""JSON shapes of ingest jobs and batches (the same keys as the callbacks carry)."""

from webui.ingest.v1 import jobs_pb2 as pb

STATE_NAMES = {
    pb.JOB_STATE_QUEUED: "queued",
    pb.JOB_STATE_RUNNING: "running",
    pb.JOB_STATE_COMPLETED: "completed",
    pb.JOB_STATE_FAILED: "failed",
    pb.JOB_STATE_CANCELLED: "cancelled",
}
STATE_VALUES = {name: value for value, name in STATE_NAMES.items()}


def job_json(job: pb.Job) -> dict:
    return {
        "id": job.id,
        "file_id": job.file_id,
        "filename": job.filename,
        "batch_id": job.batch_id or None,
        "user_id": job.user_id,
        "state": STATE_NAMES.get(job.state, "queued"),
        "attempts": job.attempts,
        "error": job.error or None,
        "retry_of": job.retry_of or None,
        "has_callback": job.has_callback,
        "created_at": job.created_at,
        "started_at": job.started_at or None,
        "finished_at": job.finished_at or None,
    }


def batch_json(batch: pb.Batch) -> dict:
    return {
        "id": batch.id,
        "user_id": batch.user_id,
        "created_at": batch.created_at,
        "total": batch.total,
        "counts": {name: batch.counts.get(name, 0) for name in STATE_NAMES.values()},
        "finished": batch.finished,
        "has_callback": batch.has_callback,
    }


def job_list_json(page: pb.ListJobsResponse) -> dict:
    return {"items": [job_json(job) for job in page.jobs], "total": page.total}
