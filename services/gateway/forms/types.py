"""Field types and bounds the request forms share. ``Text`` is defined with the forms the gateway
shares with the services (``services.common.forms``) and re-exported here."""

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from services.common.forms.types import Text, no_nul

__all__ = ["ImageUrl", "MaxLength", "RoleName", "Text"]

RoleName = Literal["pending", "user", "admin"]

# A profile image is a site path, an http(s) URL or an inline image, as Open WebUI accepts. Spelled
# case-insensitively so that the OpenAPI `pattern` (which has no flags) is this very expression.
_IMAGE_URL_PATTERN = "^(/|[hH][tT][tT][pP][sS]?://|[dD][aA][tT][aA]:[iI][mM][aA][gG][eE]/)"
_IMAGE_URL = re.compile(_IMAGE_URL_PATTERN)


class MaxLength:
    """Generous bounds of the account fields: they only stop abuse; the password rule (72 bytes) is
    the auth core's, with its own text."""

    NAME = 255
    EMAIL = 320
    IMAGE_URL = 512 * 1024
    PASSWORD = 4096


def _image_url(value: str) -> str:
    if not _IMAGE_URL.match(value):
        raise ValueError("must be a path, an http(s) URL or a data:image URL")
    return value


# The pattern is given to the schema only: the validator refuses with its own text.
ImageUrl = Annotated[
    str,
    AfterValidator(no_nul),
    AfterValidator(_image_url),
    Field(
        description="A site path, an http(s) URL or a data:image URL",
        json_schema_extra={"pattern": _IMAGE_URL_PATTERN},
    ),
]
