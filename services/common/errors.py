"""Plain exceptions every service's core raises; one interceptor per server maps them to gRPC."""


class ServiceError(Exception):
    """Base of the errors a core may raise; ``detail`` is safe to show to clients.

    ``http_status`` pins the HTTP status the gateway answers with where the gRPC code alone does not
    say it (a failed upstream is UNAVAILABLE in gRPC terms but 502 over HTTP).
    """

    http_status: int | None = None

    def __init__(self, detail: str, *, http_status: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if http_status is not None:
            # Open WebUI answers some failures with a status their kind does not suggest (a missing
            # knowledge base is a 400 on most of its routes); the instance pins it.
            self.http_status = http_status


class InvalidArgument(ServiceError):
    """The request is malformed or breaks a rule (HTTP 400)."""


class Unauthenticated(ServiceError):
    """The credential is missing, invalid or revoked (HTTP 401)."""


class PermissionDenied(ServiceError):
    """The caller may not do this (HTTP 403)."""


class NotFound(ServiceError):
    """The thing asked for does not exist (HTTP 404)."""


class AlreadyExists(ServiceError):
    """The thing to create exists already (HTTP 409)."""


class ResourceExhausted(ServiceError):
    """A rate limit or quota was hit (HTTP 429)."""


class Unavailable(ServiceError):
    """A dependency is down; the caller may retry (HTTP 503)."""


class BadGateway(Unavailable):
    """An upstream server (Ollama, OpenAI) failed or could not be reached (HTTP 502)."""

    http_status = 502


class ServiceDisabled(Unavailable):
    """A feature is switched off in the configuration (HTTP 503 with the service's own text)."""

    http_status = 503


class Timeout(ServiceError):
    """Work ran past its time limit (HTTP 504)."""


class PayloadTooLarge(ServiceError):
    """An upload is over the configured size (HTTP 413)."""

    http_status = 413


class Unimplemented(ServiceError):
    """This deployment does not offer the operation (HTTP 501; pinned, because a bare UNIMPLEMENTED
    also means a method the server lacks, which clients must not see as ours)."""

    http_status = 501
