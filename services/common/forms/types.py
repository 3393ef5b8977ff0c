"""Field types the shared request forms use, in the gateway and in the services."""

from typing import Annotated

from pydantic import AfterValidator, Field, ValidationInfo

from services.common.stored_names import clean_name

# A validation context that leaves NUL characters to the caller: a service that refuses them later,
# with its own texts (and only where it stores them), validates with this.
NUL_CHECKED_LATER = {"nul_checked_later": True}


def has_nul(value: object) -> bool:
    """Whether a NUL is anywhere in a JSON value, keys included: PostgreSQL text and jsonb cannot
    hold one, so such input is refused rather than failed on."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(v) for v in value)
    return False


def no_nul(value: str, info: ValidationInfo) -> str:
    # PostgreSQL text cannot hold NUL; refuse it here rather than fail deep inside.
    if "\x00" in value and not (info.context or {}).get("nul_checked_later"):
        raise ValueError("must not contain NUL characters")
    return value


Text = Annotated[str, AfterValidator(no_nul), Field(description="No NUL characters")]

# A display name: stored without control characters or bidirectional marks (a CR/LF would split any
# header or log line it is written into; an override makes `txt.exe` display as `exe.txt`).
Name = Annotated[
    str,
    AfterValidator(no_nul),
    AfterValidator(clean_name),
    Field(description="No NUL characters; control characters and bidirectional marks are removed"),
]
