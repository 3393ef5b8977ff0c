from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Backend(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BACKEND_UNSPECIFIED: _ClassVar[Backend]
    BACKEND_OLLAMA: _ClassVar[Backend]
    BACKEND_OPENAI: _ClassVar[Backend]

class FunctionType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FUNCTION_TYPE_UNSPECIFIED: _ClassVar[FunctionType]
    FUNCTION_TYPE_PIPE: _ClassVar[FunctionType]
    FUNCTION_TYPE_FILTER: _ClassVar[FunctionType]
    FUNCTION_TYPE_ACTION: _ClassVar[FunctionType]
    FUNCTION_TYPE_EVENT: _ClassVar[FunctionType]

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

class Task(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TASK_UNSPECIFIED: _ClassVar[Task]
    TASK_TITLE: _ClassVar[Task]
    TASK_TAGS: _ClassVar[Task]
    TASK_FOLLOW_UP: _ClassVar[Task]
    TASK_QUERIES: _ClassVar[Task]
    TASK_AUTO: _ClassVar[Task]
    TASK_EMOJI: _ClassVar[Task]
    TASK_IMAGE_PROMPT: _ClassVar[Task]
    TASK_MOA: _ClassVar[Task]
BACKEND_UNSPECIFIED: Backend
BACKEND_OLLAMA: Backend
BACKEND_OPENAI: Backend
FUNCTION_TYPE_UNSPECIFIED: FunctionType
FUNCTION_TYPE_PIPE: FunctionType
FUNCTION_TYPE_FILTER: FunctionType
FUNCTION_TYPE_ACTION: FunctionType
FUNCTION_TYPE_EVENT: FunctionType
FUNCTION_FLAG_UNSPECIFIED: FunctionFlag
FUNCTION_FLAG_ACTIVE: FunctionFlag
FUNCTION_FLAG_GLOBAL: FunctionFlag
VALVES_SCOPE_UNSPECIFIED: ValvesScope
VALVES_SCOPE_ADMIN: ValvesScope
VALVES_SCOPE_USER: ValvesScope
TASK_UNSPECIFIED: Task
TASK_TITLE: Task
TASK_TAGS: Task
TASK_FOLLOW_UP: Task
TASK_QUERIES: Task
TASK_AUTO: Task
TASK_EMOJI: Task
TASK_IMAGE_PROMPT: Task
TASK_MOA: Task

class HttpHead(_message.Message):
    __slots__ = ("status", "headers", "streaming", "body")
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
    BODY_FIELD_NUMBER: _ClassVar[int]
    status: int
    headers: _containers.ScalarMap[str, str]
    streaming: bool
    body: bytes
    def __init__(self, status: _Optional[int] = ..., headers: _Optional[_Mapping[str, str]] = ..., streaming: _Optional[bool] = ..., body: _Optional[bytes] = ...) -> None: ...

class ListModelsRequest(_message.Message):
    __slots__ = ("refresh",)
    REFRESH_FIELD_NUMBER: _ClassVar[int]
    refresh: bool
    def __init__(self, refresh: _Optional[bool] = ...) -> None: ...

class ListModelsResponse(_message.Message):
    __slots__ = ("models_json",)
    MODELS_JSON_FIELD_NUMBER: _ClassVar[int]
    models_json: bytes
    def __init__(self, models_json: _Optional[bytes] = ...) -> None: ...

class ChatCompletionRequest(_message.Message):
    __slots__ = ("body_json", "whole_reply")
    BODY_JSON_FIELD_NUMBER: _ClassVar[int]
    WHOLE_REPLY_FIELD_NUMBER: _ClassVar[int]
    body_json: bytes
    whole_reply: bool
    def __init__(self, body_json: _Optional[bytes] = ..., whole_reply: _Optional[bool] = ...) -> None: ...

class ChatCompletionResponse(_message.Message):
    __slots__ = ("head", "chunk")
    HEAD_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    head: HttpHead
    chunk: bytes
    def __init__(self, head: _Optional[_Union[HttpHead, _Mapping]] = ..., chunk: _Optional[bytes] = ...) -> None: ...

class ChatCompletedRequest(_message.Message):
    __slots__ = ("body_json",)
    BODY_JSON_FIELD_NUMBER: _ClassVar[int]
    body_json: bytes
    def __init__(self, body_json: _Optional[bytes] = ...) -> None: ...

class ChatCompletedResponse(_message.Message):
    __slots__ = ("body_json",)
    BODY_JSON_FIELD_NUMBER: _ClassVar[int]
    body_json: bytes
    def __init__(self, body_json: _Optional[bytes] = ...) -> None: ...

class EmbeddingsRequest(_message.Message):
    __slots__ = ("body_json",)
    BODY_JSON_FIELD_NUMBER: _ClassVar[int]
    body_json: bytes
    def __init__(self, body_json: _Optional[bytes] = ...) -> None: ...

class EmbeddingsResponse(_message.Message):
    __slots__ = ("head", "body")
    HEAD_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    head: HttpHead
    body: bytes
    def __init__(self, head: _Optional[_Union[HttpHead, _Mapping]] = ..., body: _Optional[bytes] = ...) -> None: ...

class ProxyRequest(_message.Message):
    __slots__ = ("backend", "method", "path", "query", "body", "headers")
    class HeadersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    backend: Backend
    method: str
    path: str
    query: str
    body: bytes
    headers: _containers.ScalarMap[str, str]
    def __init__(self, backend: _Optional[_Union[Backend, str]] = ..., method: _Optional[str] = ..., path: _Optional[str] = ..., query: _Optional[str] = ..., body: _Optional[bytes] = ..., headers: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ProxyResponse(_message.Message):
    __slots__ = ("head", "chunk")
    HEAD_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    head: HttpHead
    chunk: bytes
    def __init__(self, head: _Optional[_Union[HttpHead, _Mapping]] = ..., chunk: _Optional[bytes] = ...) -> None: ...

class Function(_message.Message):
    __slots__ = ("id", "user_id", "type", "name", "meta_json", "is_active", "is_global", "created_at", "updated_at", "content")
    ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    META_JSON_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    IS_GLOBAL_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    id: str
    user_id: str
    type: FunctionType
    name: str
    meta_json: bytes
    is_active: bool
    is_global: bool
    created_at: int
    updated_at: int
    content: str
    def __init__(self, id: _Optional[str] = ..., user_id: _Optional[str] = ..., type: _Optional[_Union[FunctionType, str]] = ..., name: _Optional[str] = ..., meta_json: _Optional[bytes] = ..., is_active: _Optional[bool] = ..., is_global: _Optional[bool] = ..., created_at: _Optional[int] = ..., updated_at: _Optional[int] = ..., content: _Optional[str] = ...) -> None: ...

class ListFunctionsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListFunctionsResponse(_message.Message):
    __slots__ = ("functions",)
    FUNCTIONS_FIELD_NUMBER: _ClassVar[int]
    functions: _containers.RepeatedCompositeFieldContainer[Function]
    def __init__(self, functions: _Optional[_Iterable[_Union[Function, _Mapping]]] = ...) -> None: ...

class CreateFunctionRequest(_message.Message):
    __slots__ = ("form_json",)
    FORM_JSON_FIELD_NUMBER: _ClassVar[int]
    form_json: bytes
    def __init__(self, form_json: _Optional[bytes] = ...) -> None: ...

class CreateFunctionResponse(_message.Message):
    __slots__ = ("function",)
    FUNCTION_FIELD_NUMBER: _ClassVar[int]
    function: Function
    def __init__(self, function: _Optional[_Union[Function, _Mapping]] = ...) -> None: ...

class GetFunctionRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetFunctionResponse(_message.Message):
    __slots__ = ("function",)
    FUNCTION_FIELD_NUMBER: _ClassVar[int]
    function: Function
    def __init__(self, function: _Optional[_Union[Function, _Mapping]] = ...) -> None: ...

class UpdateFunctionRequest(_message.Message):
    __slots__ = ("id", "form_json")
    ID_FIELD_NUMBER: _ClassVar[int]
    FORM_JSON_FIELD_NUMBER: _ClassVar[int]
    id: str
    form_json: bytes
    def __init__(self, id: _Optional[str] = ..., form_json: _Optional[bytes] = ...) -> None: ...

class UpdateFunctionResponse(_message.Message):
    __slots__ = ("function",)
    FUNCTION_FIELD_NUMBER: _ClassVar[int]
    function: Function
    def __init__(self, function: _Optional[_Union[Function, _Mapping]] = ...) -> None: ...

class ToggleFunctionRequest(_message.Message):
    __slots__ = ("id", "flag")
    ID_FIELD_NUMBER: _ClassVar[int]
    FLAG_FIELD_NUMBER: _ClassVar[int]
    id: str
    flag: FunctionFlag
    def __init__(self, id: _Optional[str] = ..., flag: _Optional[_Union[FunctionFlag, str]] = ...) -> None: ...

class ToggleFunctionResponse(_message.Message):
    __slots__ = ("function",)
    FUNCTION_FIELD_NUMBER: _ClassVar[int]
    function: Function
    def __init__(self, function: _Optional[_Union[Function, _Mapping]] = ...) -> None: ...

class DeleteFunctionRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class DeleteFunctionResponse(_message.Message):
    __slots__ = ("deleted",)
    DELETED_FIELD_NUMBER: _ClassVar[int]
    deleted: bool
    def __init__(self, deleted: _Optional[bool] = ...) -> None: ...

class GetFunctionValvesRequest(_message.Message):
    __slots__ = ("id", "scope", "spec")
    ID_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    id: str
    scope: ValvesScope
    spec: bool
    def __init__(self, id: _Optional[str] = ..., scope: _Optional[_Union[ValvesScope, str]] = ..., spec: _Optional[bool] = ...) -> None: ...

class GetFunctionValvesResponse(_message.Message):
    __slots__ = ("valves_json",)
    VALVES_JSON_FIELD_NUMBER: _ClassVar[int]
    valves_json: bytes
    def __init__(self, valves_json: _Optional[bytes] = ...) -> None: ...

class UpdateFunctionValvesRequest(_message.Message):
    __slots__ = ("id", "scope", "valves_json")
    ID_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    VALVES_JSON_FIELD_NUMBER: _ClassVar[int]
    id: str
    scope: ValvesScope
    valves_json: bytes
    def __init__(self, id: _Optional[str] = ..., scope: _Optional[_Union[ValvesScope, str]] = ..., valves_json: _Optional[bytes] = ...) -> None: ...

class UpdateFunctionValvesResponse(_message.Message):
    __slots__ = ("valves_json",)
    VALVES_JSON_FIELD_NUMBER: _ClassVar[int]
    valves_json: bytes
    def __init__(self, valves_json: _Optional[bytes] = ...) -> None: ...

class WorkspaceModel(_message.Message):
    __slots__ = ("id", "user_id", "base_model_id", "name", "params_json", "meta_json", "access_grants_json", "is_active", "created_at", "updated_at", "write_access")
    ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    BASE_MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PARAMS_JSON_FIELD_NUMBER: _ClassVar[int]
    META_JSON_FIELD_NUMBER: _ClassVar[int]
    ACCESS_GRANTS_JSON_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    WRITE_ACCESS_FIELD_NUMBER: _ClassVar[int]
    id: str
    user_id: str
    base_model_id: str
    name: str
    params_json: bytes
    meta_json: bytes
    access_grants_json: bytes
    is_active: bool
    created_at: int
    updated_at: int
    write_access: bool
    def __init__(self, id: _Optional[str] = ..., user_id: _Optional[str] = ..., base_model_id: _Optional[str] = ..., name: _Optional[str] = ..., params_json: _Optional[bytes] = ..., meta_json: _Optional[bytes] = ..., access_grants_json: _Optional[bytes] = ..., is_active: _Optional[bool] = ..., created_at: _Optional[int] = ..., updated_at: _Optional[int] = ..., write_access: _Optional[bool] = ...) -> None: ...

class ListWorkspaceModelsRequest(_message.Message):
    __slots__ = ("query", "page")
    QUERY_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    query: str
    page: int
    def __init__(self, query: _Optional[str] = ..., page: _Optional[int] = ...) -> None: ...

class ListWorkspaceModelsResponse(_message.Message):
    __slots__ = ("items", "total")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[WorkspaceModel]
    total: int
    def __init__(self, items: _Optional[_Iterable[_Union[WorkspaceModel, _Mapping]]] = ..., total: _Optional[int] = ...) -> None: ...

class CreateWorkspaceModelRequest(_message.Message):
    __slots__ = ("form_json",)
    FORM_JSON_FIELD_NUMBER: _ClassVar[int]
    form_json: bytes
    def __init__(self, form_json: _Optional[bytes] = ...) -> None: ...

class CreateWorkspaceModelResponse(_message.Message):
    __slots__ = ("model",)
    MODEL_FIELD_NUMBER: _ClassVar[int]
    model: WorkspaceModel
    def __init__(self, model: _Optional[_Union[WorkspaceModel, _Mapping]] = ...) -> None: ...

class GetWorkspaceModelRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetWorkspaceModelResponse(_message.Message):
    __slots__ = ("model",)
    MODEL_FIELD_NUMBER: _ClassVar[int]
    model: WorkspaceModel
    def __init__(self, model: _Optional[_Union[WorkspaceModel, _Mapping]] = ...) -> None: ...

class UpdateWorkspaceModelRequest(_message.Message):
    __slots__ = ("form_json",)
    FORM_JSON_FIELD_NUMBER: _ClassVar[int]
    form_json: bytes
    def __init__(self, form_json: _Optional[bytes] = ...) -> None: ...

class UpdateWorkspaceModelResponse(_message.Message):
    __slots__ = ("model",)
    MODEL_FIELD_NUMBER: _ClassVar[int]
    model: WorkspaceModel
    def __init__(self, model: _Optional[_Union[WorkspaceModel, _Mapping]] = ...) -> None: ...

class UpdateWorkspaceModelAccessRequest(_message.Message):
    __slots__ = ("id", "name", "access_grants_json")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ACCESS_GRANTS_JSON_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    access_grants_json: bytes
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., access_grants_json: _Optional[bytes] = ...) -> None: ...

class UpdateWorkspaceModelAccessResponse(_message.Message):
    __slots__ = ("model",)
    MODEL_FIELD_NUMBER: _ClassVar[int]
    model: WorkspaceModel
    def __init__(self, model: _Optional[_Union[WorkspaceModel, _Mapping]] = ...) -> None: ...

class ToggleWorkspaceModelRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ToggleWorkspaceModelResponse(_message.Message):
    __slots__ = ("model",)
    MODEL_FIELD_NUMBER: _ClassVar[int]
    model: WorkspaceModel
    def __init__(self, model: _Optional[_Union[WorkspaceModel, _Mapping]] = ...) -> None: ...

class DeleteWorkspaceModelRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class DeleteWorkspaceModelResponse(_message.Message):
    __slots__ = ("deleted",)
    DELETED_FIELD_NUMBER: _ClassVar[int]
    deleted: bool
    def __init__(self, deleted: _Optional[bool] = ...) -> None: ...

class TaskConfig(_message.Message):
    __slots__ = ("task_model", "task_model_external", "task_model_params_json", "title_generation_prompt_template", "image_prompt_generation_prompt_template", "enable_autocomplete_generation", "autocomplete_generation_input_max_length", "autocomplete_generation_prompt_template", "tags_generation_prompt_template", "follow_up_generation_prompt_template", "enable_follow_up_generation", "enable_tags_generation", "enable_title_generation", "enable_search_query_generation", "enable_retrieval_query_generation", "query_generation_prompt_template", "tools_function_calling_prompt_template", "enable_voice_mode_prompt", "voice_mode_prompt_template")
    TASK_MODEL_FIELD_NUMBER: _ClassVar[int]
    TASK_MODEL_EXTERNAL_FIELD_NUMBER: _ClassVar[int]
    TASK_MODEL_PARAMS_JSON_FIELD_NUMBER: _ClassVar[int]
    TITLE_GENERATION_PROMPT_TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    IMAGE_PROMPT_GENERATION_PROMPT_TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    ENABLE_AUTOCOMPLETE_GENERATION_FIELD_NUMBER: _ClassVar[int]
    AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH_FIELD_NUMBER: _ClassVar[int]
    AUTOCOMPLETE_GENERATION_PROMPT_TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    TAGS_GENERATION_PROMPT_TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_UP_GENERATION_PROMPT_TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    ENABLE_FOLLOW_UP_GENERATION_FIELD_NUMBER: _ClassVar[int]
    ENABLE_TAGS_GENERATION_FIELD_NUMBER: _ClassVar[int]
    ENABLE_TITLE_GENERATION_FIELD_NUMBER: _ClassVar[int]
    ENABLE_SEARCH_QUERY_GENERATION_FIELD_NUMBER: _ClassVar[int]
    ENABLE_RETRIEVAL_QUERY_GENERATION_FIELD_NUMBER: _ClassVar[int]
    QUERY_GENERATION_PROMPT_TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    TOOLS_FUNCTION_CALLING_PROMPT_TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    ENABLE_VOICE_MODE_PROMPT_FIELD_NUMBER: _ClassVar[int]
    VOICE_MODE_PROMPT_TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    task_model: str
    task_model_external: str
    task_model_params_json: bytes
    title_generation_prompt_template: str
    image_prompt_generation_prompt_template: str
    enable_autocomplete_generation: bool
    autocomplete_generation_input_max_length: int
    autocomplete_generation_prompt_template: str
    tags_generation_prompt_template: str
    follow_up_generation_prompt_template: str
    enable_follow_up_generation: bool
    enable_tags_generation: bool
    enable_title_generation: bool
    enable_search_query_generation: bool
    enable_retrieval_query_generation: bool
    query_generation_prompt_template: str
    tools_function_calling_prompt_template: str
    enable_voice_mode_prompt: bool
    voice_mode_prompt_template: str
    def __init__(self, task_model: _Optional[str] = ..., task_model_external: _Optional[str] = ..., task_model_params_json: _Optional[bytes] = ..., title_generation_prompt_template: _Optional[str] = ..., image_prompt_generation_prompt_template: _Optional[str] = ..., enable_autocomplete_generation: _Optional[bool] = ..., autocomplete_generation_input_max_length: _Optional[int] = ..., autocomplete_generation_prompt_template: _Optional[str] = ..., tags_generation_prompt_template: _Optional[str] = ..., follow_up_generation_prompt_template: _Optional[str] = ..., enable_follow_up_generation: _Optional[bool] = ..., enable_tags_generation: _Optional[bool] = ..., enable_title_generation: _Optional[bool] = ..., enable_search_query_generation: _Optional[bool] = ..., enable_retrieval_query_generation: _Optional[bool] = ..., query_generation_prompt_template: _Optional[str] = ..., tools_function_calling_prompt_template: _Optional[str] = ..., enable_voice_mode_prompt: _Optional[bool] = ..., voice_mode_prompt_template: _Optional[str] = ...) -> None: ...

class GetTaskConfigRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetTaskConfigResponse(_message.Message):
    __slots__ = ("config",)
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    config: TaskConfig
    def __init__(self, config: _Optional[_Union[TaskConfig, _Mapping]] = ...) -> None: ...

class UpdateTaskConfigRequest(_message.Message):
    __slots__ = ("form_json",)
    FORM_JSON_FIELD_NUMBER: _ClassVar[int]
    form_json: bytes
    def __init__(self, form_json: _Optional[bytes] = ...) -> None: ...

class UpdateTaskConfigResponse(_message.Message):
    __slots__ = ("config",)
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    config: TaskConfig
    def __init__(self, config: _Optional[_Union[TaskConfig, _Mapping]] = ...) -> None: ...

class RunTaskRequest(_message.Message):
    __slots__ = ("task", "body_json")
    TASK_FIELD_NUMBER: _ClassVar[int]
    BODY_JSON_FIELD_NUMBER: _ClassVar[int]
    task: Task
    body_json: bytes
    def __init__(self, task: _Optional[_Union[Task, str]] = ..., body_json: _Optional[bytes] = ...) -> None: ...

class RunTaskResponse(_message.Message):
    __slots__ = ("head", "chunk")
    HEAD_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    head: HttpHead
    chunk: bytes
    def __init__(self, head: _Optional[_Union[HttpHead, _Mapping]] = ..., chunk: _Optional[bytes] = ...) -> None: ...
