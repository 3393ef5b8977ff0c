"""One usage record: what a billable operation cost, and for whom."""

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from services.common.identity import Identity

# The kinds of record: a chat completion's upstream call (the first, or the only one), each further
# upstream call of a tool-calling loop, an embeddings call, a file processed by ingest.
CHAT = "chat"
TOOL_ROUND = "tool_round"
EMBEDDINGS = "embeddings"
INGEST = "ingest"
KINDS = (CHAT, TOOL_ROUND, EMBEDDINGS, INGEST)


Text = str | Callable[[], str]


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass(slots=True)
class PendingEstimate:
    """Texts whose tokens the recorder counts off the request path, for what the upstream did not
    report (None: that count came from the upstream, or there is nothing to count). A text may be a
    function giving it, so that replies are read only in the recorder's worker thread."""

    input_text: "Text | None" = None
    output_text: "Text | None" = None
    context_text: "Text | None" = None
    # The tokenizer is the one that did the work (ingest's embedder is all-MiniLM-L6-v2 too): the
    # counts are exact, not estimates.
    exact: bool = False


@dataclass(slots=True)
class UsageRecord:
    kind: str
    user_id: str
    key_id: str = ""
    group_ids: tuple[str, ...] = ()
    model: str = ""
    upstream: str = ""
    status: str = "ok"
    latency_ms: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    context_tokens: int = 0
    chunks: int = 0
    # True when any count came from our tokenizer (services/common/usage/estimate.py).
    estimated: bool = False
    request_id: str = ""
    at: int = field(default_factory=now_ms)
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    pending: PendingEstimate | None = None

    @classmethod
    def for_caller(cls, kind: str, caller: Identity, **fields: object) -> "UsageRecord":
        """A record naming ``caller``: user, groups, and the API key it came with ('' for sessions)."""
        key_id = caller.scope.key_id if caller.scope is not None else ""
        return cls(kind, caller.user_id, key_id, tuple(sorted(caller.group_ids)), **fields)  # type: ignore[arg-type]

    def row(self) -> tuple:
        """The record as usage_record's columns, in the recorder's INSERT order."""
        return (
            self.id,
            self.at,
            self.kind,
            self.user_id,
            self.key_id,
            list(self.group_ids),
            self.model,
            self.upstream,
            self.status,
            self.latency_ms,
            self.input_tokens,
            self.output_tokens,
            self.context_tokens,
            self.chunks,
            self.estimated,
            self.request_id,
        )


def status_text(status: int) -> str:
    """'ok' for a success, the HTTP status otherwise (what queries count as errors)."""
    return "ok" if 200 <= status < 400 else str(status)
