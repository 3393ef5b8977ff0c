"""Request bodies of the auth and user routes (Open WebUI's forms)."""

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

RoleName = Literal["pending", "user", "admin"]

# A profile image is a site path, an http(s) URL or an inline image, as Open WebUI accepts.
_IMAGE_URL = re.compile(r"^(/|https?://|data:image/)", re.IGNORECASE)


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refuse it here rather than fail deep inside.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _image_url(value: str) -> str:
    if not _IMAGE_URL.match(value):
        raise ValueError("must be a path, an http(s) URL or a data:image URL")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
ImageUrl = Annotated[str, AfterValidator(_no_nul), AfterValidator(_image_url)]

# Generous bounds: they only stop abuse; the password rule (72 bytes) is the core's, with its text.
_NAME = Field(max_length=255)
_EMAIL = Field(max_length=320)
_IMAGE = Field(default="/user.png", max_length=512 * 1024)
_PASSWORD = Field(max_length=4096)


class SignupForm(BaseModel):
    name: Text = _NAME
    email: Text = _EMAIL
    password: Text = _PASSWORD
    profile_image_url: ImageUrl = _IMAGE


class SigninForm(BaseModel):
    email: Text = _EMAIL
    password: Text = _PASSWORD


class AddUserForm(SignupForm):
    role: RoleName = "pending"


class UpdatePasswordForm(BaseModel):
    password: Text = _PASSWORD
    new_password: Text = _PASSWORD


class UserUpdateForm(BaseModel):
    role: RoleName | None = None
    name: Text | None = Field(default=None, max_length=255)
    email: Text | None = Field(default=None, max_length=320)
    profile_image_url: ImageUrl | None = Field(default=None, max_length=512 * 1024)
    password: Text | None = Field(default=None, max_length=4096)
