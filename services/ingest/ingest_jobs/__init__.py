"""Ingestion jobs as a resource: every processing request is a row of ``ingest_job``.

To queue processing of a stored file from any ingest code path (an upload, a content update, a
web page fetched into a file), call, inside the transaction that makes the file ready::

    job_id = await create_job(conn, JobSpec(file_id=..., user_id=..., key_id=...))

and, once that transaction has committed, ``await starter.publish(job_id)`` (a
:class:`~services.ingest.ingest_jobs.starter.JobStarter`; a lost publish is recovered by the
worker's re-queue sweep). ``create_job`` supersedes any unfinished job of the same file and sets
the file ``pending``. The JetStream message carries the job id; workers skip cancelled jobs.
"""

from services.ingest.ingest_jobs.starter import JobSpec, JobStarter, create_job

__all__ = ["JobSpec", "JobStarter", "create_job"]
