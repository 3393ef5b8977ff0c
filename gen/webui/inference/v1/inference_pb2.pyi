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

class FunctionFlag(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FUNCTION_FLAG_UNSPECIFIED: _ClassVar[FunctionFlag]
    FUNCTION_FLAG_ACTIVE: _ClassVar[FunctionFlag]
    FUNCTION_FLAG_GLOBAL: _ClassVar[FunctionFlag]

class ValvesScope(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VALVES_SCOPE_UNSPECIFIED: _ClassVar[ValvesScope]
    VALVES_SCOPE_ADMIN: _ClassVar[ValvesScope]
    VALVES_SCOPE_USER: _ClassVar[ValvesScope]
BACKEND_UNSPECIFIED: Backend
BACKEND_OLLAMA: Backend
BACKEND_OPENAI: Backend
FUNCTION_FLAG_UNSPECIFIED: FunctionFlag
FUNCTION_FLAG_ACTIVE: FunctionFlag
FUNCTION_FLAG_GLOBAL: FunctionFlag
VALVES_SCOPE_UNSPECIFIED: ValvesScope
VALVES_SCOPE_ADMIN: ValvesScope
VALVES_SCOPE_USER: ValvesScope

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

class ListFunctionsRequest(_message.Message):
    __slots__ = ("caller",)
    CALLER_FIELD_NUMBER: _ClassVar[int]
    caller: Caller
    def __init__(self, caller: _Optional[_Union[Caller, _Mapping]] = ...) -> None: ...

class ListFunctionsResponse(_message.Message):
    __slots__ = ("functions_json",)
    FUNCTIONS_JSON_FIELD_NUMBER: _ClassVar[int]
    functions_json: bytes
    def __init__(self, functions_json: _Optional[bytes] = ...) -> None: ...

class CreateFunctionRequest(_message.Message):
    __slots__ = ("caller", "form_json")
    CALLER_FIELD_NUMBER: _ClassVar[int]
    FORM_JSON_FIELD_NUMBER: _ClassVar[int]
    caller: Caller
    form_json: bytes
    def __init__(self, caller: _Optional[_Union[Caller, _Mapping]] = ..., form_json: _Optional[bytes] = ...) -> None: ...

class CreateFunctionResponse(_message.Message):
    __slots__ = ("function_json",)
    FUNCTION_JSON_FIELD_NUMBER: _ClassVar[int]
    function_json: bytes
    def __init__(self, function_json: _Optional[bytes] = ...) -> None: ...

class GetFunctionRequest(_message.Message):
    __slots__ = ("caller", "id")
    CALLER_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    caller: Caller
    id: str
    def __init__(self, caller: _Optional[_Union[Caller, _Mapping]] = ..., id: _Optional[str] = ...) -> None: ...

class GetFunctionResponse(_message.Message):
    __slots__ = ("function_json",)
    FUNCTION_JSON_FIELD_NUMBER: _ClassVar[int]
    function_json: bytes
    def __init__(self, function_json: _Optional[bytes] = ...) -> None: ...

class UpdateFunctionRequest(_message.Message):
    __slots__ = ("caller", "id", "form_json")
    CALLER_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    FORM_JSON_FIELD_NUMBER: _ClassVar[int]
    caller: Caller
    id: str
    form_json: bytes
    def __init__(self, caller: _Optional[_Union[Caller, _Mapping]] = ..., id: _Optional[str] = ..., form_json: _Optional[bytes] = ...) -> None: ...

class UpdateFunctionResponse(_message.Message):
    __slots__ = ("function_json",)
    FUNCTION_JSON_FIELD_NUMBER: _ClassVar[int]
    function_json: bytes
    def __init__(self, function_json: _Optional[bytes] = ...) -> None: ...

class ToggleFunctionRequest(_message.Message):
    __slots__ = ("caller", "id", "flag")
    CALLER_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    FLAG_FIELD_NUMBER: _ClassVar[int]
    caller: Caller
    id: str
    flag: FunctionFlag
    def __init__(self, caller: _Optional[_Union[Caller, _Mapping]] = ..., id: _Optional[str] = ..., flag: _Optional[_Union[FunctionFlag, str]] = ...) -> None: ...

class ToggleFunctionResponse(_message.Message):
    __slots__ = ("function_json",)
    FUNCTION_JSON_FIELD_NUMBER: _ClassVar[int]
    function_json: bytes
    def __init__(self, function_json: _Optional[bytes] = ...) -> None: ...

class DeleteFunctionRequest(_message.Message):
    __slots__ = ("caller", "id")
    CALLER_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    caller: Caller
    id: str
    def __init__(self, caller: _Optional[_Union[Caller, _Mapping]] = ..., id: _Optional[str] = ...) -> None: ...

class DeleteFunctionResponse(_message.Message):
    __slots__ = ("deleted",)
    DELETED_FIELD_NUMBER: _ClassVar[int]
    deleted: bool
    def __init__(self, deleted: _Optional[bool] = ...) -> None: ...

class GetFunctionValvesRequest(_message.Message):
    __slots__ = ("caller", "id", "scope", "spec")
    CALLER_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    caller: Caller
    id: str
    scope: ValvesScope
    spec: bool
    def __init__(self, caller: _Optional[_Union[Caller, _Mapping]] = ..., id: _Optional[str] = ..., scope: _Optional[_Union[ValvesScope, str]] = ..., spec: _Optional[bool] = ...) -> None: ...

class GetFunctionValvesResponse(_message.Message):
    __slots__ = ("valves_json",)
    VALVES_JSON_FIELD_NUMBER: _ClassVar[int]
    valves_json: bytes
    def __init__(self, valves_json: _Optional[bytes] = ...) -> None: ...

class UpdateFunctionValvesRequest(_message.Message):
    __slots__ = ("caller", "id", "scope", "valves_json")
    CALLER_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    VALVES_JSON_FIELD_NUMBER: _ClassVar[int]
    caller: Caller
    id: str
    scope: ValvesScope
    valves_json: bytes
    def __init__(self, caller: _Optional[_Union[Caller, _Mapping]] = ..., id: _Optional[str] = ..., scope: _Optional[_Union[ValvesScope, str]] = ..., valves_json: _Optional[bytes] = ...) -> None: ...

class UpdateFunctionValvesResponse(_message.Message):
    __slots__ = ("valves_json",)
    VALVES_JSON_FIELD_NUMBER: _ClassVar[int]
    valves_json: bytes
    def __init__(self, valves_json: _Optional[bytes] = ...) -> None: ...

class ListWorkspaceModelsRequest(_message.Message):
    __slots__ = ("caller", "query", "page")
    CALLER_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    caller: Caller
    query: str
    page: int
    def __init__(self, caller: _Optional[_Union[Caller, _Mapping]] = ..., query: _Optional[str] = ..., page: _Optional[int] = ...) -> None: ...

class ListWorkspaceModelsResponse(_message.Message):
    __slots__ = ("page_json",)
    PAGE_JSON_FIELD_NUMBER: _ClassVar[int]
    page_json: bytes
    def __init__(self, page_json: _Optional[bytes] = ...) -> None: ...

class CreateWorkspaceModelRequest(_message.Message):
    __slots__ = ("caller", "form_json")
    CALLER_FIELD_NUMBER: _ClassVar[int]
    FORM_JSON_FIELD_NUMBER: _ClassVar[int]
    caller: Caller
    form_json: bytes
    def __init__(self, caller: _Optional[_Union[Caller, _Mapping]] = ..., form_json: _Optional[bytes] = ...) -> None: ...

class CreateWorkspaceModelResponse(_message.Message):
    __slots__ = ("model_json",)
    MODEL_JSON_FIELD_NUMBER: _ClassVar[int]
    model_json: bytes
    def __init__(self, model_json: _Optional[bytes] = ...) -> None: ...

class GetWorkspaceModelRequest(_message.Message):
    __slots__ = ("caller", "id")
    CALLER_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    caller: Caller
    id: str
    def __init__(self, caller: _Optional[_Union[Caller, _Mapping]] = ..., id: _Optional[str] = ...) -> None: ...

class GetWorkspaceModelResponse(_message.Message):
    __slots__ = ("model_json",)
    MODEL_JSON_FIELD_NUMBER: _ClassVar[int]
    model_json: bytes
    def __init__(self, model_json: _Optional[bytes] = ...) -> None: ...

class UpdateWorkspaceModelRequest(_message.Message):
    __slots__ = ("caller", "form_json")
    CALLER_FIELD_NUMBER: _ClassVar[int]
    FORM_JSON_FIELD_NUMBER: _ClassVar[int]
    caller: Caller
    form_json: bytes
    def __init__(self, caller: _Optional[_Union[Caller, _Mapping]] = ..., form_json: _Optional[bytes] = ...) -> None: ...

class UpdateWorkspaceModelResponse(_message.Message):
    __slots__ = ("model_json",)
    MODEL_JSON_FIELD_NUMBER: _ClassVar[int]
    model_json: bytes
    def __init__(self, model_json: _Optional[bytes] = ...) -> None: ...

class ToggleWorkspaceModelRequest(_message.Message):
    __slots__ = ("caller", "id")
    CALLER_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    caller: Caller
    id: str
    def __init__(self, caller: _Optional[_Union[Caller, _Mapping]] = ..., id: _Optional[str] = ...) -> None: ...

class ToggleWorkspaceModelResponse(_message.Message):
    __slots__ = ("model_json",)
    MODEL_JSON_FIELD_NUMBER: _ClassVar[int]
    model_json: bytes
    def __init__(self, model_json: _Optional[bytes] = ...) -> None: ...

class DeleteWorkspaceModelRequest(_message.Message):
    __slots__ = ("caller", "id")
    CALLER_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    caller: Caller
    id: str
    def __init__(self, caller: _Optional[_Union[Caller, _Mapping]] = ..., id: _Optional[str] = ...) -> None: ...

class DeleteWorkspaceModelResponse(_message.Message):
    __slots__ = ("deleted",)
    DELETED_FIELD_NUMBER: _ClassVar[int]
    deleted: bool
    def __init__(self, deleted: _Optional[bool] = ...) -> None: ...
