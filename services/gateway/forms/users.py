"""Request form of ``/api/v1/users``: an admin's update of a user."""

from pydantic import BaseModel, Field

from services.gateway.forms.types import ImageUrl, MaxLength, RoleName, Text


class UserUpdateForm(BaseModel):
    """Only the fields given change; an empty password leaves it as it is."""

    role: RoleName | None = None
    name: Text | None = Field(default=None, max_length=MaxLength.NAME)
    email: Text | None = Field(default=None, max_length=MaxLength.EMAIL)
    profile_image_url: ImageUrl | None = Field(default=None, max_length=MaxLength.IMAGE_URL)
    password: Text | None = Field(default=None, max_length=MaxLength.PASSWORD)
