from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class GetAdminConfigRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetAdminConfigResponse(_message.Message):
    __slots__ = ("config_json",)
    CONFIG_JSON_FIELD_NUMBER: _ClassVar[int]
    config_json: bytes
    def __init__(self, config_json: _Optional[bytes] = ...) -> None: ...

class UpdateAdminConfigRequest(_message.Message):
    __slots__ = ("config_json",)
    CONFIG_JSON_FIELD_NUMBER: _ClassVar[int]
    config_json: bytes
    def __init__(self, config_json: _Optional[bytes] = ...) -> None: ...

class UpdateAdminConfigResponse(_message.Message):
    __slots__ = ("config_json", "sessions_revoked")
    CONFIG_JSON_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_REVOKED_FIELD_NUMBER: _ClassVar[int]
    config_json: bytes
    sessions_revoked: bool
    def __init__(self, config_json: _Optional[bytes] = ..., sessions_revoked: _Optional[bool] = ...) -> None: ...
