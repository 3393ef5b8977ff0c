"""Plain exceptions every service's core raises; one interceptor per server maps them to gRPC."""


class ServiceError(Exception):
    """Base of the errors a core may raise; ``detail`` is safe to show to clients."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


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
