"""Upstream request and error counters of the inference service (Ollama, OpenAI, pipe functions)."""

from prometheus_client import CollectorRegistry, Counter

# outcome: ok (answered, below 500), error (counted in the errors, by reason), cancelled (our caller
# went away first). reason: connect (nothing reached it), timeout (connect or read deadline),
# broken (reset or bad framing after the request was sent), status (it answered 500 or more),
# exception (a pipe function raised).
OUTCOMES = ("ok", "error", "cancelled")
REASONS = ("connect", "timeout", "broken", "status", "exception")


class UpstreamMetrics:
    """``webui_upstream_requests_total{kind,outcome}`` and ``webui_upstream_errors_total{kind,reason}``;
    kind is ``ollama``, ``openai`` or ``pipe``."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "webui_upstream_requests_total",
            "Requests sent to upstreams (each failover attempt counts), by kind and outcome.",
            ["kind", "outcome"],
            registry=registry,
        )
        self.errors = Counter(
            "webui_upstream_errors_total",
            "Failed upstream requests, by kind and reason.",
            ["kind", "reason"],
            registry=registry,
        )

    def ok(self, kind: str) -> None:
        self.requests.labels(kind, "ok").inc()

    def cancelled(self, kind: str) -> None:
        self.requests.labels(kind, "cancelled").inc()

    def error(self, kind: str, reason: str) -> None:
        self.requests.labels(kind, "error").inc()
        self.errors.labels(kind, reason).inc()


def failure_reason(error: BaseException, otherwise: str) -> str:
    """``timeout`` when a transport failure came from a deadline, else ``otherwise``."""
    if isinstance(error, TimeoutError) or isinstance(error.__cause__, TimeoutError):
        return "timeout"
    return otherwise
