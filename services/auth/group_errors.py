"""The groups core's exceptions, with the texts clients see."""

from services.common import messages
from services.common.errors import InvalidArgument, NotFound

# Open WebUI's texts for the member list and its DEFAULT(...) wrapper for the admin routes.
GROUP_NOT_FOUND_TEXT = "Group not found."
SELF_PARENT_TEXT = "A group cannot be its own parent."
PARENT_NOT_FOUND_TEXT = "Parent group not found."
CYCLE_TEXT = "A group cannot be nested under one of its own subgroups."
BAD_DEFAULT_MODELS_TEXT = "data.config.default_models must be a list of non-empty model ids."
BAD_PERMISSIONS_TEXT = "permissions must be an object of sections of booleans."


class GroupNotFound(NotFound):
    """404 NOT_FOUND on reads; the admin writes answer 400 ``[ERROR: Error <action>]`` instead."""

    def __init__(self, detail: str = messages.NOT_FOUND, *, http_status: int | None = None) -> None:
        super().__init__(detail, http_status=http_status)


def write_failed(action: str) -> GroupNotFound:
    """Open WebUI's ``DEFAULT("Error <action>")`` (400) for an admin call on a group that is not there."""
    return GroupNotFound(f"[ERROR: Error {action}]", http_status=400)


class HierarchyError(InvalidArgument):
    """A parent that does not exist, or one that would make a cycle (HTTP 400 with the text)."""


class BadGroupForm(InvalidArgument):
    """A group's data or permissions break a rule (HTTP 400 with the text)."""


class UserNotFoundAs400(NotFound):
    """``GET /api/v1/users/{id}`` of an unknown user: Open WebUI answers 400 NOT_FOUND."""

    def __init__(self) -> None:
        super().__init__(messages.NOT_FOUND, http_status=400)
