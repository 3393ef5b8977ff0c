"""The auth core's exceptions, each carrying Open WebUI's client-visible text."""

from services.common import messages
from services.common.errors import (
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    Unauthenticated,
)


class NotAuthenticated(Unauthenticated):
    def __init__(self) -> None:
        super().__init__(messages.NOT_AUTHENTICATED)


class BadToken(Unauthenticated):
    """Undecodable or expired JWT."""

    def __init__(self) -> None:
        super().__init__(messages.UNAUTHORIZED)


class RevokedToken(Unauthenticated):
    def __init__(self) -> None:
        super().__init__(messages.REVOKED_TOKEN)


class InvalidToken(Unauthenticated):
    """Unknown API key, or a JWT whose user is gone."""

    def __init__(self) -> None:
        super().__init__(messages.INVALID_TOKEN)


class InvalidCredentials(InvalidArgument):
    def __init__(self) -> None:
        super().__init__(messages.INVALID_CRED)


class IncorrectPassword(InvalidArgument):
    def __init__(self) -> None:
        super().__init__(messages.INCORRECT_PASSWORD)


class InvalidEmail(InvalidArgument):
    def __init__(self) -> None:
        super().__init__(messages.INVALID_EMAIL_FORMAT)


class EmailTaken(InvalidArgument):
    def __init__(self) -> None:
        super().__init__(messages.EMAIL_TAKEN)


class PasswordTooLong(InvalidArgument):
    def __init__(self) -> None:
        super().__init__(messages.PASSWORD_TOO_LONG)


class SignupDisabled(PermissionDenied):
    def __init__(self) -> None:
        super().__init__(messages.ACCESS_PROHIBITED)


class ActionProhibited(PermissionDenied):
    def __init__(self) -> None:
        super().__init__(messages.ACTION_PROHIBITED)


class ApiKeysDisabled(PermissionDenied):
    def __init__(self) -> None:
        super().__init__(messages.API_KEY_NOT_ALLOWED)


class ApiKeyCreationDisabled(PermissionDenied):
    def __init__(self) -> None:
        super().__init__(messages.API_KEY_CREATION_NOT_ALLOWED)


class ApiKeyNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__(messages.API_KEY_NOT_FOUND)


class UserNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__(messages.USER_NOT_FOUND)


class RateLimited(ResourceExhausted):
    def __init__(self) -> None:
        super().__init__(messages.RATE_LIMIT_EXCEEDED)


class SessionRequired(PermissionDenied):
    """An API key tried what only a signed-in session may do (create or delete keys)."""

    def __init__(self) -> None:
        super().__init__(messages.HUMAN_SESSION_REQUIRED)


class ExpiredApiKey(Unauthenticated):
    """An sk- key past its expires_at: it stays listed (and revocable) but no longer works."""

    def __init__(self) -> None:
        super().__init__(messages.API_KEY_EXPIRED)


class ApiKeyNameTaken(InvalidArgument):
    def __init__(self) -> None:
        super().__init__(messages.API_KEY_NAME_TAKEN)


class TooManyApiKeys(InvalidArgument):
    def __init__(self, limit: int = 100) -> None:
        super().__init__(f"A user may hold at most {limit} API keys; revoke one first.")


class InvalidApiKeySpec(InvalidArgument):
    """A key's name, kind, expiry or lists are not acceptable; the message says which."""

    def __init__(self, detail: str = "The API key's settings are not valid.") -> None:
        super().__init__(detail)


class ApiKeyFeatureDenied(PermissionDenied):
    """The user's permissions (features.api_keys) do not include API keys."""

    def __init__(self) -> None:
        super().__init__(messages.API_KEY_CREATION_NOT_ALLOWED)
