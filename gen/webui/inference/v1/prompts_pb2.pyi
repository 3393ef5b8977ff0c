from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PromptOrder(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PROMPT_ORDER_UNSPECIFIED: _ClassVar[PromptOrder]
    PROMPT_ORDER_NAME: _ClassVar[PromptOrder]
    PROMPT_ORDER_CREATED_AT: _ClassVar[PromptOrder]
    PROMPT_ORDER_UPDATED_AT: _ClassVar[PromptOrder]

class PromptViewOption(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PROMPT_VIEW_OPTION_UNSPECIFIED: _ClassVar[PromptViewOption]
    PROMPT_VIEW_OPTION_CREATED: _ClassVar[PromptViewOption]
    PROMPT_VIEW_OPTION_SHARED: _ClassVar[PromptViewOption]
PROMPT_ORDER_UNSPECIFIED: PromptOrder
PROMPT_ORDER_NAME: PromptOrder
PROMPT_ORDER_CREATED_AT: PromptOrder
PROMPT_ORDER_UPDATED_AT: PromptOrder
PROMPT_VIEW_OPTION_UNSPECIFIED: PromptViewOption
PROMPT_VIEW_OPTION_CREATED: PromptViewOption
PROMPT_VIEW_OPTION_SHARED: PromptViewOption

class Prompt(_message.Message):
    __slots__ = ("id", "command", "user_id", "name", "content", "data_json", "meta_json", "tags", "is_active", "version_id", "created_at", "updated_at", "access_grants_json", "write_access")
    ID_FIELD_NUMBER: _ClassVar[int]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    DATA_JSON_FIELD_NUMBER: _ClassVar[int]
    META_JSON_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    ACCESS_GRANTS_JSON_FIELD_NUMBER: _ClassVar[int]
    WRITE_ACCESS_FIELD_NUMBER: _ClassVar[int]
    id: str
    command: str
    user_id: str
    name: str
    content: str
    data_json: bytes
    meta_json: bytes
    tags: _containers.RepeatedScalarFieldContainer[str]
    is_active: bool
    version_id: str
    created_at: int
    updated_at: int
    access_grants_json: bytes
    write_access: bool
    def __init__(self, id: _Optional[str] = ..., command: _Optional[str] = ..., user_id: _Optional[str] = ..., name: _Optional[str] = ..., content: _Optional[str] = ..., data_json: _Optional[bytes] = ..., meta_json: _Optional[bytes] = ..., tags: _Optional[_Iterable[str]] = ..., is_active: _Optional[bool] = ..., version_id: _Optional[str] = ..., created_at: _Optional[int] = ..., updated_at: _Optional[int] = ..., access_grants_json: _Optional[bytes] = ..., write_access: _Optional[bool] = ...) -> None: ...

class ListPromptsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListPromptsResponse(_message.Message):
    __slots__ = ("prompts",)
    PROMPTS_FIELD_NUMBER: _ClassVar[int]
    prompts: _containers.RepeatedCompositeFieldContainer[Prompt]
    def __init__(self, prompts: _Optional[_Iterable[_Union[Prompt, _Mapping]]] = ...) -> None: ...

class ListPromptTagsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListPromptTagsResponse(_message.Message):
    __slots__ = ("tags",)
    TAGS_FIELD_NUMBER: _ClassVar[int]
    tags: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, tags: _Optional[_Iterable[str]] = ...) -> None: ...

class SearchPromptsRequest(_message.Message):
    __slots__ = ("query", "view_option", "tag", "order_by", "ascending", "page")
    QUERY_FIELD_NUMBER: _ClassVar[int]
    VIEW_OPTION_FIELD_NUMBER: _ClassVar[int]
    TAG_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    ASCENDING_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    query: str
    view_option: PromptViewOption
    tag: str
    order_by: PromptOrder
    ascending: bool
    page: int
    def __init__(self, query: _Optional[str] = ..., view_option: _Optional[_Union[PromptViewOption, str]] = ..., tag: _Optional[str] = ..., order_by: _Optional[_Union[PromptOrder, str]] = ..., ascending: _Optional[bool] = ..., page: _Optional[int] = ...) -> None: ...

class SearchPromptsResponse(_message.Message):
    __slots__ = ("prompts", "total")
    PROMPTS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    prompts: _containers.RepeatedCompositeFieldContainer[Prompt]
    total: int
    def __init__(self, prompts: _Optional[_Iterable[_Union[Prompt, _Mapping]]] = ..., total: _Optional[int] = ...) -> None: ...

class CreatePromptRequest(_message.Message):
    __slots__ = ("form_json",)
    FORM_JSON_FIELD_NUMBER: _ClassVar[int]
    form_json: bytes
    def __init__(self, form_json: _Optional[bytes] = ...) -> None: ...

class CreatePromptResponse(_message.Message):
    __slots__ = ("prompt",)
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    prompt: Prompt
    def __init__(self, prompt: _Optional[_Union[Prompt, _Mapping]] = ...) -> None: ...

class GetPromptRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetPromptResponse(_message.Message):
    __slots__ = ("prompt",)
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    prompt: Prompt
    def __init__(self, prompt: _Optional[_Union[Prompt, _Mapping]] = ...) -> None: ...

class UpdatePromptRequest(_message.Message):
    __slots__ = ("id", "form_json")
    ID_FIELD_NUMBER: _ClassVar[int]
    FORM_JSON_FIELD_NUMBER: _ClassVar[int]
    id: str
    form_json: bytes
    def __init__(self, id: _Optional[str] = ..., form_json: _Optional[bytes] = ...) -> None: ...

class UpdatePromptResponse(_message.Message):
    __slots__ = ("prompt",)
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    prompt: Prompt
    def __init__(self, prompt: _Optional[_Union[Prompt, _Mapping]] = ...) -> None: ...

class UpdatePromptMetaRequest(_message.Message):
    __slots__ = ("id", "form_json")
    ID_FIELD_NUMBER: _ClassVar[int]
    FORM_JSON_FIELD_NUMBER: _ClassVar[int]
    id: str
    form_json: bytes
    def __init__(self, id: _Optional[str] = ..., form_json: _Optional[bytes] = ...) -> None: ...

class UpdatePromptMetaResponse(_message.Message):
    __slots__ = ("prompt",)
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    prompt: Prompt
    def __init__(self, prompt: _Optional[_Union[Prompt, _Mapping]] = ...) -> None: ...

class SetPromptVersionRequest(_message.Message):
    __slots__ = ("id", "version_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    version_id: str
    def __init__(self, id: _Optional[str] = ..., version_id: _Optional[str] = ...) -> None: ...

class SetPromptVersionResponse(_message.Message):
    __slots__ = ("prompt",)
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    prompt: Prompt
    def __init__(self, prompt: _Optional[_Union[Prompt, _Mapping]] = ...) -> None: ...

class UpdatePromptAccessRequest(_message.Message):
    __slots__ = ("id", "access_grants_json")
    ID_FIELD_NUMBER: _ClassVar[int]
    ACCESS_GRANTS_JSON_FIELD_NUMBER: _ClassVar[int]
    id: str
    access_grants_json: bytes
    def __init__(self, id: _Optional[str] = ..., access_grants_json: _Optional[bytes] = ...) -> None: ...

class UpdatePromptAccessResponse(_message.Message):
    __slots__ = ("prompt",)
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    prompt: Prompt
    def __init__(self, prompt: _Optional[_Union[Prompt, _Mapping]] = ...) -> None: ...

class TogglePromptRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class TogglePromptResponse(_message.Message):
    __slots__ = ("prompt",)
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    prompt: Prompt
    def __init__(self, prompt: _Optional[_Union[Prompt, _Mapping]] = ...) -> None: ...

class DeletePromptRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class DeletePromptResponse(_message.Message):
    __slots__ = ("deleted",)
    DELETED_FIELD_NUMBER: _ClassVar[int]
    deleted: bool
    def __init__(self, deleted: _Optional[bool] = ...) -> None: ...

class PromptVersion(_message.Message):
    __slots__ = ("id", "prompt_id", "parent_id", "snapshot_json", "user_id", "commit_message", "has_commit_message", "created_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    PROMPT_ID_FIELD_NUMBER: _ClassVar[int]
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_JSON_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    COMMIT_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    HAS_COMMIT_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    prompt_id: str
    parent_id: str
    snapshot_json: bytes
    user_id: str
    commit_message: str
    has_commit_message: bool
    created_at: int
    def __init__(self, id: _Optional[str] = ..., prompt_id: _Optional[str] = ..., parent_id: _Optional[str] = ..., snapshot_json: _Optional[bytes] = ..., user_id: _Optional[str] = ..., commit_message: _Optional[str] = ..., has_commit_message: _Optional[bool] = ..., created_at: _Optional[int] = ...) -> None: ...

class ListPromptVersionsRequest(_message.Message):
    __slots__ = ("id", "page")
    ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    id: str
    page: int
    def __init__(self, id: _Optional[str] = ..., page: _Optional[int] = ...) -> None: ...

class ListPromptVersionsResponse(_message.Message):
    __slots__ = ("versions",)
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    versions: _containers.RepeatedCompositeFieldContainer[PromptVersion]
    def __init__(self, versions: _Optional[_Iterable[_Union[PromptVersion, _Mapping]]] = ...) -> None: ...

class GetPromptVersionRequest(_message.Message):
    __slots__ = ("id", "version_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    version_id: str
    def __init__(self, id: _Optional[str] = ..., version_id: _Optional[str] = ...) -> None: ...

class GetPromptVersionResponse(_message.Message):
    __slots__ = ("version",)
    VERSION_FIELD_NUMBER: _ClassVar[int]
    version: PromptVersion
    def __init__(self, version: _Optional[_Union[PromptVersion, _Mapping]] = ...) -> None: ...

class DeletePromptVersionRequest(_message.Message):
    __slots__ = ("id", "version_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    version_id: str
    def __init__(self, id: _Optional[str] = ..., version_id: _Optional[str] = ...) -> None: ...

class DeletePromptVersionResponse(_message.Message):
    __slots__ = ("deleted",)
    DELETED_FIELD_NUMBER: _ClassVar[int]
    deleted: bool
    def __init__(self, deleted: _Optional[bool] = ...) -> None: ...

class DiffPromptVersionsRequest(_message.Message):
    __slots__ = ("id", "from_id", "to_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    FROM_ID_FIELD_NUMBER: _ClassVar[int]
    TO_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    from_id: str
    to_id: str
    def __init__(self, id: _Optional[str] = ..., from_id: _Optional[str] = ..., to_id: _Optional[str] = ...) -> None: ...

class DiffPromptVersionsResponse(_message.Message):
    __slots__ = ("diff_json",)
    DIFF_JSON_FIELD_NUMBER: _ClassVar[int]
    diff_json: bytes
    def __init__(self, diff_json: _Optional[bytes] = ...) -> None: ...
