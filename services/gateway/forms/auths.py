"""Request forms of ``/api/v1/auths``: signup, signin, admin add and password change."""

from pydantic import BaseModel, Field

from services.gateway.forms.types import ImageUrl, MaxLength, RoleName, Text

_NAME = Field(max_length=MaxLength.NAME)
_EMAIL = Field(max_length=MaxLength.EMAIL)
_IMAGE = Field(default="/user.png", max_length=MaxLength.IMAGE_URL)
_PASSWORD = Field(max_length=MaxLength.PASSWORD)


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
