from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ToolValvesScope(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TOOL_VALVES_SCOPE_UNSPECIFIED: _ClassVar[ToolValvesScope]
    TOOL_VALVES_SCOPE_ADMIN: _ClassVar[ToolValvesScope]
    TOOL_VALVES_SCOPE_USER: _ClassVar[ToolValvesScope]
TOOL_VALVES_SCOPE_UNSPECIFIED: ToolValvesScope
TOOL_VALVES_SCOPE_ADMIN: ToolValvesScope
TOOL_VALVES_SCOPE_USER: ToolValvesScope

class Tool(_message.Message):
    __slots__ = ("id", "user_id", "name", "content", "specs_json", "meta_json", "access_grants_json", "created_at", "updated_at", "write_access", "has_user_valves", "has_content", "version_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    SPECS_JSON_FIELD_NUMBER: _ClassVar[int]
    META_JSON_FIELD_NUMBER: _ClassVar[int]
    ACCESS_GRANTS_JSON_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    WRITE_ACCESS_FIELD_NUMBER: _ClassVar[int]
    HAS_USER_VALVES_FIELD_NUMBER: _ClassVar[int]
    HAS_CONTENT_FIELD_NUMBER: _ClassVar[int]
    VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    user_id: str
    name: str
    content: str
    specs_json: bytes
    meta_json: bytes
    access_grants_json: bytes
    created_at: int
    updated_at: int
    write_access: bool
    has_user_valves: bool
    has_content: bool
    version_id: str
    def __init__(self, id: _Optional[str] = ..., user_id: _Optional[str] = ..., name: _Optional[str] = ..., content: _Optional[str] = ..., specs_json: _Optional[bytes] = ..., meta_json: _Optional[bytes] = ..., access_grants_json: _Optional[bytes] = ..., created_at: _Optional[int] = ..., updated_at: _Optional[int] = ..., write_access: _Optional[bool] = ..., has_user_valves: _Optional[bool] = ..., has_content: _Optional[bool] = ..., version_id: _Optional[str] = ...) -> None: ...

class ListToolsRequest(_message.Message):
    __slots__ = ("query", "include_servers")
    QUERY_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_SERVERS_FIELD_NUMBER: _ClassVar[int]
    query: str
    include_servers: bool
    def __init__(self, query: _Optional[str] = ..., include_servers: _Optional[bool] = ...) -> None: ...

class ListToolsResponse(_message.Message):
    __slots__ = ("tools", "servers_json")
    TOOLS_FIELD_NUMBER: _ClassVar[int]
    SERVERS_JSON_FIELD_NUMBER: _ClassVar[int]
    tools: _containers.RepeatedCompositeFieldContainer[Tool]
    servers_json: bytes
    def __init__(self, tools: _Optional[_Iterable[_Union[Tool, _Mapping]]] = ..., servers_json: _Optional[bytes] = ...) -> None: ...

class ExportToolsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ExportToolsResponse(_message.Message):
    __slots__ = ("tools",)
    TOOLS_FIELD_NUMBER: _ClassVar[int]
    tools: _containers.RepeatedCompositeFieldContainer[Tool]
    def __init__(self, tools: _Optional[_Iterable[_Union[Tool, _Mapping]]] = ...) -> None: ...

class CreateToolRequest(_message.Message):
    __slots__ = ("form_json",)
    FORM_JSON_FIELD_NUMBER: _ClassVar[int]
    form_json: bytes
    def __init__(self, form_json: _Optional[bytes] = ...) -> None: ...

class CreateToolResponse(_message.Message):
    __slots__ = ("tool",)
    TOOL_FIELD_NUMBER: _ClassVar[int]
    tool: Tool
    def __init__(self, tool: _Optional[_Union[Tool, _Mapping]] = ...) -> None: ...

class GetToolRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetToolResponse(_message.Message):
    __slots__ = ("tool",)
    TOOL_FIELD_NUMBER: _ClassVar[int]
    tool: Tool
    def __init__(self, tool: _Optional[_Union[Tool, _Mapping]] = ...) -> None: ...

class UpdateToolRequest(_message.Message):
    __slots__ = ("id", "form_json")
    ID_FIELD_NUMBER: _ClassVar[int]
    FORM_JSON_FIELD_NUMBER: _ClassVar[int]
    id: str
    form_json: bytes
    def __init__(self, id: _Optional[str] = ..., form_json: _Optional[bytes] = ...) -> None: ...

class UpdateToolResponse(_message.Message):
    __slots__ = ("tool",)
    TOOL_FIELD_NUMBER: _ClassVar[int]
    tool: Tool
    def __init__(self, tool: _Optional[_Union[Tool, _Mapping]] = ...) -> None: ...

class UpdateToolAccessRequest(_message.Message):
    __slots__ = ("id", "access_grants_json")
    ID_FIELD_NUMBER: _ClassVar[int]
    ACCESS_GRANTS_JSON_FIELD_NUMBER: _ClassVar[int]
    id: str
    access_grants_json: bytes
    def __init__(self, id: _Optional[str] = ..., access_grants_json: _Optional[bytes] = ...) -> None: ...

class UpdateToolAccessResponse(_message.Message):
    __slots__ = ("tool",)
    TOOL_FIELD_NUMBER: _ClassVar[int]
    tool: Tool
    def __init__(self, tool: _Optional[_Union[Tool, _Mapping]] = ...) -> None: ...

class DeleteToolRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class DeleteToolResponse(_message.Message):
    __slots__ = ("deleted",)
    DELETED_FIELD_NUMBER: _ClassVar[int]
    deleted: bool
    def __init__(self, deleted: _Optional[bool] = ...) -> None: ...

class GetToolValvesRequest(_message.Message):
    __slots__ = ("id", "scope", "spec")
    ID_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    id: str
    scope: ToolValvesScope
    spec: bool
    def __init__(self, id: _Optional[str] = ..., scope: _Optional[_Union[ToolValvesScope, str]] = ..., spec: _Optional[bool] = ...) -> None: ...

class GetToolValvesResponse(_message.Message):
    __slots__ = ("valves_json",)
    VALVES_JSON_FIELD_NUMBER: _ClassVar[int]
    valves_json: bytes
    def __init__(self, valves_json: _Optional[bytes] = ...) -> None: ...

class UpdateToolValvesRequest(_message.Message):
    __slots__ = ("id", "scope", "valves_json")
    ID_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    VALVES_JSON_FIELD_NUMBER: _ClassVar[int]
    id: str
    scope: ToolValvesScope
    valves_json: bytes
    def __init__(self, id: _Optional[str] = ..., scope: _Optional[_Union[ToolValvesScope, str]] = ..., valves_json: _Optional[bytes] = ...) -> None: ...

class UpdateToolValvesResponse(_message.Message):
    __slots__ = ("valves_json",)
    VALVES_JSON_FIELD_NUMBER: _ClassVar[int]
    valves_json: bytes
    def __init__(self, valves_json: _Optional[bytes] = ...) -> None: ...

class ToolVersion(_message.Message):
    __slots__ = ("id", "tool_id", "parent_id", "user_id", "commit_message", "has_commit_message", "created_at", "has_snapshot", "name", "content", "specs_json", "meta_json")
    ID_FIELD_NUMBER: _ClassVar[int]
    TOOL_ID_FIELD_NUMBER: _ClassVar[int]
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    COMMIT_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    HAS_COMMIT_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    HAS_SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    SPECS_JSON_FIELD_NUMBER: _ClassVar[int]
    META_JSON_FIELD_NUMBER: _ClassVar[int]
    id: str
    tool_id: str
    parent_id: str
    user_id: str
    commit_message: str
    has_commit_message: bool
    created_at: int
    has_snapshot: bool
    name: str
    content: str
    specs_json: bytes
    meta_json: bytes
    def __init__(self, id: _Optional[str] = ..., tool_id: _Optional[str] = ..., parent_id: _Optional[str] = ..., user_id: _Optional[str] = ..., commit_message: _Optional[str] = ..., has_commit_message: _Optional[bool] = ..., created_at: _Optional[int] = ..., has_snapshot: _Optional[bool] = ..., name: _Optional[str] = ..., content: _Optional[str] = ..., specs_json: _Optional[bytes] = ..., meta_json: _Optional[bytes] = ...) -> None: ...

class ListToolVersionsRequest(_message.Message):
    __slots__ = ("id", "page")
    ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    id: str
    page: int
    def __init__(self, id: _Optional[str] = ..., page: _Optional[int] = ...) -> None: ...

class ListToolVersionsResponse(_message.Message):
    __slots__ = ("versions",)
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    versions: _containers.RepeatedCompositeFieldContainer[ToolVersion]
    def __init__(self, versions: _Optional[_Iterable[_Union[ToolVersion, _Mapping]]] = ...) -> None: ...

class GetToolVersionRequest(_message.Message):
    __slots__ = ("id", "version_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    version_id: str
    def __init__(self, id: _Optional[str] = ..., version_id: _Optional[str] = ...) -> None: ...

class GetToolVersionResponse(_message.Message):
    __slots__ = ("version",)
    VERSION_FIELD_NUMBER: _ClassVar[int]
    version: ToolVersion
    def __init__(self, version: _Optional[_Union[ToolVersion, _Mapping]] = ...) -> None: ...

class DeleteToolVersionRequest(_message.Message):
    __slots__ = ("id", "version_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    version_id: str
    def __init__(self, id: _Optional[str] = ..., version_id: _Optional[str] = ...) -> None: ...

class DeleteToolVersionResponse(_message.Message):
    __slots__ = ("deleted",)
    DELETED_FIELD_NUMBER: _ClassVar[int]
    deleted: bool
    def __init__(self, deleted: _Optional[bool] = ...) -> None: ...

class DiffToolVersionsRequest(_message.Message):
    __slots__ = ("id", "from_id", "to_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    FROM_ID_FIELD_NUMBER: _ClassVar[int]
    TO_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    from_id: str
    to_id: str
    def __init__(self, id: _Optional[str] = ..., from_id: _Optional[str] = ..., to_id: _Optional[str] = ...) -> None: ...

class DiffToolVersionsResponse(_message.Message):
    __slots__ = ("diff_json",)
    DIFF_JSON_FIELD_NUMBER: _ClassVar[int]
    diff_json: bytes
    def __init__(self, diff_json: _Optional[bytes] = ...) -> None: ...

class RestoreToolVersionRequest(_message.Message):
    __slots__ = ("id", "version_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    version_id: str
    def __init__(self, id: _Optional[str] = ..., version_id: _Optional[str] = ...) -> None: ...

class RestoreToolVersionResponse(_message.Message):
    __slots__ = ("tool",)
    TOOL_FIELD_NUMBER: _ClassVar[int]
    tool: Tool
    def __init__(self, tool: _Optional[_Union[Tool, _Mapping]] = ...) -> None: ...

class LoadToolFromUrlRequest(_message.Message):
    __slots__ = ("url",)
    URL_FIELD_NUMBER: _ClassVar[int]
    url: str
    def __init__(self, url: _Optional[str] = ...) -> None: ...

class LoadToolFromUrlResponse(_message.Message):
    __slots__ = ("name", "content")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    name: str
    content: str
    def __init__(self, name: _Optional[str] = ..., content: _Optional[str] = ...) -> None: ...

class GetToolServerSpecsRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetToolServerSpecsResponse(_message.Message):
    __slots__ = ("specs_json",)
    SPECS_JSON_FIELD_NUMBER: _ClassVar[int]
    specs_json: bytes
    def __init__(self, specs_json: _Optional[bytes] = ...) -> None: ...
