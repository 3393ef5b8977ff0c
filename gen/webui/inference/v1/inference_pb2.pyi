from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Backend(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BACKEND_UNSPECIFIED: _ClassVar[Backend]
    BACKEND_OLLAMA: _ClassVar[Backend]
    BACKEND_OPENAI: _ClassVar[Backend]
BACKEND_UNSPECIFIED: Backend
BACKEND_OLLAMA: Backend
BACKEND_OPENAI: Backend

class Caller(_message.Message):
    __slots__ = ("user_id", "email", "name", "role")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    email: str
    name: str
    role: str
    def __init__(self, user_id: _Optional[str] = ..., email: _Optional[str] = ..., name: _Optional[str] = ..., role: _Optional[str] = ...) -> None: ...

class HttpHead(_message.Message):
    __slots__ = ("status", "headers", "streaming")
    class HeadersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    STATUS_FIELD_NUMBER: _ClassVar[int]
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    STREAMING_FIELD_NUMBER: _ClassVar[int]
    status: int
    headers: _containers.ScalarMap[str, str]
    streaming: bool
    def __init__(self, status: _Optional[int] = ..., headers: _Optional[_Mapping[str, str]] = ..., streaming: _Optional[bool] = ...) -> None: ...

class ListModelsRequest(_message.Message):
    __slots__ = ("caller", "refresh")
    CALLER_FIELD_NUMBER: _ClassVar[int]
    REFRESH_FIELD_NUMBER: _ClassVar[int]
    caller: Caller
    refresh: bool
    def __init__(self, caller: _Optional[_Union[Caller, _Mapping]] = ..., refresh: _Optional[bool] = ...) -> None: ...

class ListModelsResponse(_message.Message):
    __slots__ = ("models_json",)
    MODELS_JSON_FIELD_NUMBER: _ClassVar[int]
    models_json: bytes
    def __init__(self, models_json: _Optional[bytes] = ...) -> None: ...

class ChatCompletionRequest(_message.Message):
    __slots__ = ("caller", "body_json")
    CALLER_FIELD_NUMBER: _ClassVar[int]
    BODY_JSON_FIELD_NUMBER: _ClassVar[int]
    caller: Caller
    body_json: bytes
    def __init__(self, caller: _Optional[_Union[Caller, _Mapping]] = ..., body_json: _Optional[bytes] = ...) -> None: ...

class ChatCompletionResponse(_message.Message):
    __slots__ = ("head", "chunk")
    HEAD_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    head: HttpHead
    chunk: bytes
    def __init__(self, head: _Optional[_Union[HttpHead, _Mapping]] = ..., chunk: _Optional[bytes] = ...) -> None: ...

class ChatCompletedRequest(_message.Message):
    __slots__ = ("caller", "body_json")
    CALLER_FIELD_NUMBER: _ClassVar[int]
    BODY_JSON_FIELD_NUMBER: _ClassVar[int]
    caller: Caller
    body_json: bytes
    def __init__(self, caller: _Optional[_Union[Caller, _Mapping]] = ..., body_json: _Optional[bytes] = ...) -> None: ...

class ChatCompletedResponse(_message.Message):
    __slots__ = ("body_json",)
    BODY_JSON_FIELD_NUMBER: _ClassVar[int]
    body_json: bytes
    def __init__(self, body_json: _Optional[bytes] = ...) -> None: ...

class EmbeddingsRequest(_message.Message):
    __slots__ = ("caller", "body_json")
    CALLER_FIELD_NUMBER: _ClassVar[int]
    BODY_JSON_FIELD_NUMBER: _ClassVar[int]
    caller: Caller
    body_json: bytes
    def __init__(self, caller: _Optional[_Union[Caller, _Mapping]] = ..., body_json: _Optional[bytes] = ...) -> None: ...

class EmbeddingsResponse(_message.Message):
    __slots__ = ("head", "body")
    HEAD_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    head: HttpHead
    body: bytes
    def __init__(self, head: _Optional[_Union[HttpHead, _Mapping]] = ..., body: _Optional[bytes] = ...) -> None: ...

class ProxyRequest(_message.Message):
    __slots__ = ("caller", "backend", "method", "path", "query", "body", "headers")
    class HeadersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    CALLER_FIELD_NUMBER: _ClassVar[int]
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    caller: Caller
    backend: Backend
    method: str
    path: str
    query: str
    body: bytes
    headers: _containers.ScalarMap[str, str]
    def __init__(self, caller: _Optional[_Union[Caller, _Mapping]] = ..., backend: _Optional[_Union[Backend, str]] = ..., method: _Optional[str] = ..., path: _Optional[str] = ..., query: _Optional[str] = ..., body: _Optional[bytes] = ..., headers: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ProxyResponse(_message.Message):
    __slots__ = ("head", "chunk")
    HEAD_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    head: HttpHead
    chunk: bytes
    def __init__(self, head: _Optional[_Union[HttpHead, _Mapping]] = ..., chunk: _Optional[bytes] = ...) -> None: ...
