from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class Identity(_message.Message):
    __slots__ = ("user_id", "role", "name", "email", "via_api_key")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    VIA_API_KEY_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    role: str
    name: str
    email: str
    via_api_key: bool
    def __init__(self, user_id: _Optional[str] = ..., role: _Optional[str] = ..., name: _Optional[str] = ..., email: _Optional[str] = ..., via_api_key: _Optional[bool] = ...) -> None: ...
