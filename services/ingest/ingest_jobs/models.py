"""Plain records of jobs and batches (no gRPC, no asyncpg types)."""

import enum
from dataclasses import dataclass, field


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


ACTIVE_STATES = frozenset({JobState.QUEUED, JobState.RUNNING})
FINAL_STATES = frozenset({JobState.COMPLETED, JobState.FAILED, JobState.CANCELLED})
# What a retry may start again.
RETRYABLE_STATES = frozenset({JobState.FAILED, JobState.CANCELLED})

# The transitions a job may make; everything else is refused by the SQL that changes it.
TRANSITIONS: dict[JobState, frozenset[JobState]] = {
    JobState.QUEUED: frozenset({JobState.RUNNING, JobState.CANCELLED, JobState.FAILED}),
    # Running back to queued: its worker stopped (shutdown) and handed it back.
    JobState.RUNNING: frozenset({JobState.QUEUED, JobState.COMPLETED, JobState.FAILED, JobState.CANCELLED}),
    JobState.COMPLETED: frozenset(),
    JobState.FAILED: frozenset(),
    JobState.CANCELLED: frozenset(),
}


def can_move(current: JobState, target: JobState) -> bool:
    return target in TRANSITIONS[current]


@dataclass(slots=True)
class JobRecord:
    id: str
    file_id: str
    batch_id: str | None
    user_id: str
    key_id: str
    state: JobState
    attempts: int
    error: str | None
    callback_url: str | None
    retry_of: str | None
    created_at: int
    started_at: int | None
    finished_at: int | None
    filename: str = ""


@dataclass(slots=True)
class BatchRecord:
    id: str
    user_id: str
    callback_url: str | None
    created_at: int
    # Jobs of the batch by state (states with none are left out).
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def finished(self) -> bool:
        """Every job of a non-empty batch has ended."""
        return self.total > 0 and not any(self.counts.get(s.value) for s in ACTIVE_STATES)
