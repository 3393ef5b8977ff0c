"""JSON shapes of jobs and batches, as callbacks carry them and the gateway renders them."""

from services.ingest.ingest_jobs.models import BatchRecord, JobRecord

JOB_FINISHED = "job.finished"
BATCH_FINISHED = "batch.finished"


def job_json(job: JobRecord) -> dict:
    return {
        "id": job.id,
        "file_id": job.file_id,
        "batch_id": job.batch_id,
        "user_id": job.user_id,
        "state": job.state.value,
        "attempts": job.attempts,
        "error": job.error,
        "retry_of": job.retry_of,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


def batch_json(batch: BatchRecord) -> dict:
    return {
        "id": batch.id,
        "user_id": batch.user_id,
        "created_at": batch.created_at,
        "total": batch.total,
        "counts": dict(batch.counts),
        "finished": batch.finished,
    }
