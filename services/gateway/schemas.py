"""Request bodies of the auth and user routes (Open WebUI's forms)."""

from typing import Literal

from pydantic import BaseModel, Field

RoleName = Literal["pending", "user", "admin"]

# Generous bounds: they only stop abuse; the password rule (72 bytes) is the core's, with its text.
_NAME = Field(max_length=255)
_EMAIL = Field(max_length=320)
_IMAGE = Field(default="/user.png", max_length=512 * 1024)
_PASSWORD = Field(max_length=4096)


class SignupForm(BaseModel):
    name: str = _NAME
    email: str = _EMAIL
    password: str = _PASSWORD
    profile_image_url: str = _IMAGE


class SigninForm(BaseModel):
    email: str = _EMAIL
    password: str = _PASSWORD


class AddUserForm(SignupForm):
    role: RoleName = "pending"


class UpdatePasswordForm(BaseModel):
    password: str = _PASSWORD
    new_password: str = _PASSWORD


class UserUpdateForm(BaseModel):
    role: RoleName | None = None
    name: str | None = Field(default=None, max_length=255)
    email: str | None = Field(default=None, max_length=320)
    profile_image_url: str | None = Field(default=None, max_length=512 * 1024)
    password: str | None = Field(default=None, max_length=4096)
