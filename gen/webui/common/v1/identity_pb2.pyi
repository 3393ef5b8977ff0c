from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Identity(_message.Message):
    __slots__ = ("user_id", "role", "name", "email", "via_api_key", "group_ids", "permissions", "key_scope")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    VIA_API_KEY_FIELD_NUMBER: _ClassVar[int]
    GROUP_IDS_FIELD_NUMBER: _ClassVar[int]
    PERMISSIONS_FIELD_NUMBER: _ClassVar[int]
    KEY_SCOPE_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    role: str
    name: str
    email: str
    via_api_key: bool
    group_ids: _containers.RepeatedScalarFieldContainer[str]
    permissions: _containers.RepeatedScalarFieldContainer[str]
    key_scope: KeyScope
    def __init__(self, user_id: _Optional[str] = ..., role: _Optional[str] = ..., name: _Optional[str] = ..., email: _Optional[str] = ..., via_api_key: _Optional[bool] = ..., group_ids: _Optional[_Iterable[str]] = ..., permissions: _Optional[_Iterable[str]] = ..., key_scope: _Optional[_Union[KeyScope, _Mapping]] = ...) -> None: ...

class KeyScope(_message.Message):
    __slots__ = ("key_id", "name", "kind", "model_ids", "knowledge_ids", "file_ids", "expires_at")
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    MODEL_IDS_FIELD_NUMBER: _ClassVar[int]
    KNOWLEDGE_IDS_FIELD_NUMBER: _ClassVar[int]
    FILE_IDS_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    name: str
    kind: str
    model_ids: _containers.RepeatedScalarFieldContainer[str]
    knowledge_ids: _containers.RepeatedScalarFieldContainer[str]
    file_ids: _containers.RepeatedScalarFieldContainer[str]
    expires_at: int
    def __init__(self, key_id: _Optional[str] = ..., name: _Optional[str] = ..., kind: _Optional[str] = ..., model_ids: _Optional[_Iterable[str]] = ..., knowledge_ids: _Optional[_Iterable[str]] = ..., file_ids: _Optional[_Iterable[str]] = ..., expires_at: _Optional[int] = ...) -> None: ...
