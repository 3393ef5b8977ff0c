from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ChatSort(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHAT_SORT_UNSPECIFIED: _ClassVar[ChatSort]
    CHAT_SORT_UPDATED_AT: _ClassVar[ChatSort]
    CHAT_SORT_TITLE: _ClassVar[ChatSort]
    CHAT_SORT_UNREAD_UPDATED_AT: _ClassVar[ChatSort]

class ChatShareMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHAT_SHARE_MODE_UNSPECIFIED: _ClassVar[ChatShareMode]
    CHAT_SHARE_MODE_NONE: _ClassVar[ChatShareMode]
    CHAT_SHARE_MODE_CONTINUE: _ClassVar[ChatShareMode]
CHAT_SORT_UNSPECIFIED: ChatSort
CHAT_SORT_UPDATED_AT: ChatSort
CHAT_SORT_TITLE: ChatSort
CHAT_SORT_UNREAD_UPDATED_AT: ChatSort
CHAT_SHARE_MODE_UNSPECIFIED: ChatShareMode
CHAT_SHARE_MODE_NONE: ChatShareMode
CHAT_SHARE_MODE_CONTINUE: ChatShareMode

class Chat(_message.Message):
    __slots__ = ("id", "user_id", "title", "chat_json", "created_at", "updated_at", "share_id", "archived", "pinned", "meta_json", "variables_json", "folder_id", "tasks_json", "summary", "current_message_id", "write_access")
    ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    CHAT_JSON_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    SHARE_ID_FIELD_NUMBER: _ClassVar[int]
    ARCHIVED_FIELD_NUMBER: _ClassVar[int]
    PINNED_FIELD_NUMBER: _ClassVar[int]
    META_JSON_FIELD_NUMBER: _ClassVar[int]
    VARIABLES_JSON_FIELD_NUMBER: _ClassVar[int]
    FOLDER_ID_FIELD_NUMBER: _ClassVar[int]
    TASKS_JSON_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    CURRENT_MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    WRITE_ACCESS_FIELD_NUMBER: _ClassVar[int]
    id: str
    user_id: str
    title: str
    chat_json: bytes
    created_at: int
    updated_at: int
    share_id: str
    archived: bool
    pinned: bool
    meta_json: bytes
    variables_json: bytes
    folder_id: str
    tasks_json: bytes
    summary: str
    current_message_id: str
    write_access: bool
    def __init__(self, id: _Optional[str] = ..., user_id: _Optional[str] = ..., title: _Optional[str] = ..., chat_json: _Optional[bytes] = ..., created_at: _Optional[int] = ..., updated_at: _Optional[int] = ..., share_id: _Optional[str] = ..., archived: _Optional[bool] = ..., pinned: _Optional[bool] = ..., meta_json: _Optional[bytes] = ..., variables_json: _Optional[bytes] = ..., folder_id: _Optional[str] = ..., tasks_json: _Optional[bytes] = ..., summary: _Optional[str] = ..., current_message_id: _Optional[str] = ..., write_access: _Optional[bool] = ...) -> None: ...

class ChatSummary(_message.Message):
    __slots__ = ("id", "title", "updated_at", "created_at", "last_read_at", "snippet", "archived")
    ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_READ_AT_FIELD_NUMBER: _ClassVar[int]
    SNIPPET_FIELD_NUMBER: _ClassVar[int]
    ARCHIVED_FIELD_NUMBER: _ClassVar[int]
    id: str
    title: str
    updated_at: int
    created_at: int
    last_read_at: int
    snippet: str
    archived: bool
    def __init__(self, id: _Optional[str] = ..., title: _Optional[str] = ..., updated_at: _Optional[int] = ..., created_at: _Optional[int] = ..., last_read_at: _Optional[int] = ..., snippet: _Optional[str] = ..., archived: _Optional[bool] = ...) -> None: ...

class ChatTag(_message.Message):
    __slots__ = ("id", "name", "user_id", "meta_json")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    META_JSON_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    user_id: str
    meta_json: bytes
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., user_id: _Optional[str] = ..., meta_json: _Optional[bytes] = ...) -> None: ...

class CreateChatRequest(_message.Message):
    __slots__ = ("form_json",)
    FORM_JSON_FIELD_NUMBER: _ClassVar[int]
    form_json: bytes
    def __init__(self, form_json: _Optional[bytes] = ...) -> None: ...

class CreateChatResponse(_message.Message):
    __slots__ = ("chat",)
    CHAT_FIELD_NUMBER: _ClassVar[int]
    chat: Chat
    def __init__(self, chat: _Optional[_Union[Chat, _Mapping]] = ...) -> None: ...

class GetChatRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetChatResponse(_message.Message):
    __slots__ = ("chat",)
    CHAT_FIELD_NUMBER: _ClassVar[int]
    chat: Chat
    def __init__(self, chat: _Optional[_Union[Chat, _Mapping]] = ...) -> None: ...

class UpdateChatRequest(_message.Message):
    __slots__ = ("id", "form_json")
    ID_FIELD_NUMBER: _ClassVar[int]
    FORM_JSON_FIELD_NUMBER: _ClassVar[int]
    id: str
    form_json: bytes
    def __init__(self, id: _Optional[str] = ..., form_json: _Optional[bytes] = ...) -> None: ...

class UpdateChatResponse(_message.Message):
    __slots__ = ("chat",)
    CHAT_FIELD_NUMBER: _ClassVar[int]
    chat: Chat
    def __init__(self, chat: _Optional[_Union[Chat, _Mapping]] = ...) -> None: ...

class ListChatsRequest(_message.Message):
    __slots__ = ("page", "include_pinned", "include_folders", "sort", "ascending")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_PINNED_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_FOLDERS_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    ASCENDING_FIELD_NUMBER: _ClassVar[int]
    page: int
    include_pinned: bool
    include_folders: bool
    sort: ChatSort
    ascending: bool
    def __init__(self, page: _Optional[int] = ..., include_pinned: _Optional[bool] = ..., include_folders: _Optional[bool] = ..., sort: _Optional[_Union[ChatSort, str]] = ..., ascending: _Optional[bool] = ...) -> None: ...

class ListChatsResponse(_message.Message):
    __slots__ = ("chats",)
    CHATS_FIELD_NUMBER: _ClassVar[int]
    chats: _containers.RepeatedCompositeFieldContainer[ChatSummary]
    def __init__(self, chats: _Optional[_Iterable[_Union[ChatSummary, _Mapping]]] = ...) -> None: ...

class ListPinnedChatsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListPinnedChatsResponse(_message.Message):
    __slots__ = ("chats",)
    CHATS_FIELD_NUMBER: _ClassVar[int]
    chats: _containers.RepeatedCompositeFieldContainer[ChatSummary]
    def __init__(self, chats: _Optional[_Iterable[_Union[ChatSummary, _Mapping]]] = ...) -> None: ...

class ListArchivedChatsRequest(_message.Message):
    __slots__ = ("page", "query", "order_by", "ascending")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    ASCENDING_FIELD_NUMBER: _ClassVar[int]
    page: int
    query: str
    order_by: str
    ascending: bool
    def __init__(self, page: _Optional[int] = ..., query: _Optional[str] = ..., order_by: _Optional[str] = ..., ascending: _Optional[bool] = ...) -> None: ...

class ListArchivedChatsResponse(_message.Message):
    __slots__ = ("chats",)
    CHATS_FIELD_NUMBER: _ClassVar[int]
    chats: _containers.RepeatedCompositeFieldContainer[ChatSummary]
    def __init__(self, chats: _Optional[_Iterable[_Union[ChatSummary, _Mapping]]] = ...) -> None: ...

class CountArchivedChatsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CountArchivedChatsResponse(_message.Message):
    __slots__ = ("count",)
    COUNT_FIELD_NUMBER: _ClassVar[int]
    count: int
    def __init__(self, count: _Optional[int] = ...) -> None: ...

class SearchChatsRequest(_message.Message):
    __slots__ = ("text", "page")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    text: str
    page: int
    def __init__(self, text: _Optional[str] = ..., page: _Optional[int] = ...) -> None: ...

class SearchChatsResponse(_message.Message):
    __slots__ = ("chats",)
    CHATS_FIELD_NUMBER: _ClassVar[int]
    chats: _containers.RepeatedCompositeFieldContainer[ChatSummary]
    def __init__(self, chats: _Optional[_Iterable[_Union[ChatSummary, _Mapping]]] = ...) -> None: ...

class ListChatsByTagRequest(_message.Message):
    __slots__ = ("name", "skip", "limit")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SKIP_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    name: str
    skip: int
    limit: int
    def __init__(self, name: _Optional[str] = ..., skip: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class ListChatsByTagResponse(_message.Message):
    __slots__ = ("chats",)
    CHATS_FIELD_NUMBER: _ClassVar[int]
    chats: _containers.RepeatedCompositeFieldContainer[ChatSummary]
    def __init__(self, chats: _Optional[_Iterable[_Union[ChatSummary, _Mapping]]] = ...) -> None: ...

class StreamChatsRequest(_message.Message):
    __slots__ = ("archived_only",)
    ARCHIVED_ONLY_FIELD_NUMBER: _ClassVar[int]
    archived_only: bool
    def __init__(self, archived_only: _Optional[bool] = ...) -> None: ...

class StreamChatsResponse(_message.Message):
    __slots__ = ("chat",)
    CHAT_FIELD_NUMBER: _ClassVar[int]
    chat: Chat
    def __init__(self, chat: _Optional[_Union[Chat, _Mapping]] = ...) -> None: ...

class DeleteChatRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class DeleteChatResponse(_message.Message):
    __slots__ = ("deleted",)
    DELETED_FIELD_NUMBER: _ClassVar[int]
    deleted: bool
    def __init__(self, deleted: _Optional[bool] = ...) -> None: ...

class DeleteAllChatsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DeleteAllChatsResponse(_message.Message):
    __slots__ = ("deleted",)
    DELETED_FIELD_NUMBER: _ClassVar[int]
    deleted: bool
    def __init__(self, deleted: _Optional[bool] = ...) -> None: ...

class GetChatPinnedRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetChatPinnedResponse(_message.Message):
    __slots__ = ("pinned",)
    PINNED_FIELD_NUMBER: _ClassVar[int]
    pinned: bool
    def __init__(self, pinned: _Optional[bool] = ...) -> None: ...

class PinChatRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class PinChatResponse(_message.Message):
    __slots__ = ("chat",)
    CHAT_FIELD_NUMBER: _ClassVar[int]
    chat: Chat
    def __init__(self, chat: _Optional[_Union[Chat, _Mapping]] = ...) -> None: ...

class ArchiveChatRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ArchiveChatResponse(_message.Message):
    __slots__ = ("chat",)
    CHAT_FIELD_NUMBER: _ClassVar[int]
    chat: Chat
    def __init__(self, chat: _Optional[_Union[Chat, _Mapping]] = ...) -> None: ...

class ArchiveAllChatsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ArchiveAllChatsResponse(_message.Message):
    __slots__ = ("done",)
    DONE_FIELD_NUMBER: _ClassVar[int]
    done: bool
    def __init__(self, done: _Optional[bool] = ...) -> None: ...

class UnarchiveAllChatsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class UnarchiveAllChatsResponse(_message.Message):
    __slots__ = ("done",)
    DONE_FIELD_NUMBER: _ClassVar[int]
    done: bool
    def __init__(self, done: _Optional[bool] = ...) -> None: ...

class CloneChatRequest(_message.Message):
    __slots__ = ("id", "title")
    ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    id: str
    title: str
    def __init__(self, id: _Optional[str] = ..., title: _Optional[str] = ...) -> None: ...

class CloneChatResponse(_message.Message):
    __slots__ = ("chat",)
    CHAT_FIELD_NUMBER: _ClassVar[int]
    chat: Chat
    def __init__(self, chat: _Optional[_Union[Chat, _Mapping]] = ...) -> None: ...

class ListChatTagsRequest(_message.Message):
    __slots__ = ("chat_id",)
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    def __init__(self, chat_id: _Optional[str] = ...) -> None: ...

class ListChatTagsResponse(_message.Message):
    __slots__ = ("tags",)
    TAGS_FIELD_NUMBER: _ClassVar[int]
    tags: _containers.RepeatedCompositeFieldContainer[ChatTag]
    def __init__(self, tags: _Optional[_Iterable[_Union[ChatTag, _Mapping]]] = ...) -> None: ...

class AddChatTagRequest(_message.Message):
    __slots__ = ("chat_id", "name")
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    name: str
    def __init__(self, chat_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class AddChatTagResponse(_message.Message):
    __slots__ = ("tags",)
    TAGS_FIELD_NUMBER: _ClassVar[int]
    tags: _containers.RepeatedCompositeFieldContainer[ChatTag]
    def __init__(self, tags: _Optional[_Iterable[_Union[ChatTag, _Mapping]]] = ...) -> None: ...

class RemoveChatTagRequest(_message.Message):
    __slots__ = ("chat_id", "name")
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    name: str
    def __init__(self, chat_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class RemoveChatTagResponse(_message.Message):
    __slots__ = ("tags",)
    TAGS_FIELD_NUMBER: _ClassVar[int]
    tags: _containers.RepeatedCompositeFieldContainer[ChatTag]
    def __init__(self, tags: _Optional[_Iterable[_Union[ChatTag, _Mapping]]] = ...) -> None: ...

class ListTagsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListTagsResponse(_message.Message):
    __slots__ = ("tags",)
    TAGS_FIELD_NUMBER: _ClassVar[int]
    tags: _containers.RepeatedCompositeFieldContainer[ChatTag]
    def __init__(self, tags: _Optional[_Iterable[_Union[ChatTag, _Mapping]]] = ...) -> None: ...

class UpsertChatMessageRequest(_message.Message):
    __slots__ = ("chat_id", "message_id", "content", "voice_json")
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    VOICE_JSON_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    message_id: str
    content: str
    voice_json: bytes
    def __init__(self, chat_id: _Optional[str] = ..., message_id: _Optional[str] = ..., content: _Optional[str] = ..., voice_json: _Optional[bytes] = ...) -> None: ...

class UpsertChatMessageResponse(_message.Message):
    __slots__ = ("chat",)
    CHAT_FIELD_NUMBER: _ClassVar[int]
    chat: Chat
    def __init__(self, chat: _Optional[_Union[Chat, _Mapping]] = ...) -> None: ...

class DeleteChatMessageRequest(_message.Message):
    __slots__ = ("chat_id", "message_id")
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    message_id: str
    def __init__(self, chat_id: _Optional[str] = ..., message_id: _Optional[str] = ...) -> None: ...

class DeleteChatMessageResponse(_message.Message):
    __slots__ = ("chat",)
    CHAT_FIELD_NUMBER: _ClassVar[int]
    chat: Chat
    def __init__(self, chat: _Optional[_Union[Chat, _Mapping]] = ...) -> None: ...

class MoveChatToFolderRequest(_message.Message):
    __slots__ = ("id", "folder_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    FOLDER_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    folder_id: str
    def __init__(self, id: _Optional[str] = ..., folder_id: _Optional[str] = ...) -> None: ...

class MoveChatToFolderResponse(_message.Message):
    __slots__ = ("chat",)
    CHAT_FIELD_NUMBER: _ClassVar[int]
    chat: Chat
    def __init__(self, chat: _Optional[_Union[Chat, _Mapping]] = ...) -> None: ...

class ListFolderChatsRequest(_message.Message):
    __slots__ = ("folder_id",)
    FOLDER_ID_FIELD_NUMBER: _ClassVar[int]
    folder_id: str
    def __init__(self, folder_id: _Optional[str] = ...) -> None: ...

class ListFolderChatsResponse(_message.Message):
    __slots__ = ("chats",)
    CHATS_FIELD_NUMBER: _ClassVar[int]
    chats: _containers.RepeatedCompositeFieldContainer[Chat]
    def __init__(self, chats: _Optional[_Iterable[_Union[Chat, _Mapping]]] = ...) -> None: ...

class ListFolderChatSummariesRequest(_message.Message):
    __slots__ = ("folder_id", "page", "sort", "ascending")
    FOLDER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    ASCENDING_FIELD_NUMBER: _ClassVar[int]
    folder_id: str
    page: int
    sort: ChatSort
    ascending: bool
    def __init__(self, folder_id: _Optional[str] = ..., page: _Optional[int] = ..., sort: _Optional[_Union[ChatSort, str]] = ..., ascending: _Optional[bool] = ...) -> None: ...

class ListFolderChatSummariesResponse(_message.Message):
    __slots__ = ("chats",)
    CHATS_FIELD_NUMBER: _ClassVar[int]
    chats: _containers.RepeatedCompositeFieldContainer[ChatSummary]
    def __init__(self, chats: _Optional[_Iterable[_Union[ChatSummary, _Mapping]]] = ...) -> None: ...

class ImportChatsRequest(_message.Message):
    __slots__ = ("form_json",)
    FORM_JSON_FIELD_NUMBER: _ClassVar[int]
    form_json: bytes
    def __init__(self, form_json: _Optional[bytes] = ...) -> None: ...

class ImportChatsResponse(_message.Message):
    __slots__ = ("chats",)
    CHATS_FIELD_NUMBER: _ClassVar[int]
    chats: _containers.RepeatedCompositeFieldContainer[Chat]
    def __init__(self, chats: _Optional[_Iterable[_Union[Chat, _Mapping]]] = ...) -> None: ...

class ForkChatRequest(_message.Message):
    __slots__ = ("id", "message_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    message_id: str
    def __init__(self, id: _Optional[str] = ..., message_id: _Optional[str] = ...) -> None: ...

class ForkChatResponse(_message.Message):
    __slots__ = ("chat",)
    CHAT_FIELD_NUMBER: _ClassVar[int]
    chat: Chat
    def __init__(self, chat: _Optional[_Union[Chat, _Mapping]] = ...) -> None: ...

class UpdateChatParamsRequest(_message.Message):
    __slots__ = ("id", "params_json")
    ID_FIELD_NUMBER: _ClassVar[int]
    PARAMS_JSON_FIELD_NUMBER: _ClassVar[int]
    id: str
    params_json: bytes
    def __init__(self, id: _Optional[str] = ..., params_json: _Optional[bytes] = ...) -> None: ...

class UpdateChatParamsResponse(_message.Message):
    __slots__ = ("params_json",)
    PARAMS_JSON_FIELD_NUMBER: _ClassVar[int]
    params_json: bytes
    def __init__(self, params_json: _Optional[bytes] = ...) -> None: ...

class ListUserChatsRequest(_message.Message):
    __slots__ = ("user_id", "page", "query", "order_by", "direction")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    page: int
    query: str
    order_by: str
    direction: str
    def __init__(self, user_id: _Optional[str] = ..., page: _Optional[int] = ..., query: _Optional[str] = ..., order_by: _Optional[str] = ..., direction: _Optional[str] = ...) -> None: ...

class ListUserChatsResponse(_message.Message):
    __slots__ = ("chats",)
    CHATS_FIELD_NUMBER: _ClassVar[int]
    chats: _containers.RepeatedCompositeFieldContainer[ChatSummary]
    def __init__(self, chats: _Optional[_Iterable[_Union[ChatSummary, _Mapping]]] = ...) -> None: ...

class StreamAllChatsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class StreamAllChatsResponse(_message.Message):
    __slots__ = ("chat",)
    CHAT_FIELD_NUMBER: _ClassVar[int]
    chat: Chat
    def __init__(self, chat: _Optional[_Union[Chat, _Mapping]] = ...) -> None: ...

class MarkChatsReadRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class MarkChatsReadResponse(_message.Message):
    __slots__ = ("updated_count", "folder_unread_counts")
    class FolderUnreadCountsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    UPDATED_COUNT_FIELD_NUMBER: _ClassVar[int]
    FOLDER_UNREAD_COUNTS_FIELD_NUMBER: _ClassVar[int]
    updated_count: int
    folder_unread_counts: _containers.ScalarMap[str, int]
    def __init__(self, updated_count: _Optional[int] = ..., folder_unread_counts: _Optional[_Mapping[str, int]] = ...) -> None: ...

class MarkChatUnreadRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class MarkChatUnreadResponse(_message.Message):
    __slots__ = ("chat_id", "last_read_at", "folder_id", "folder_unread_counts")
    class FolderUnreadCountsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    LAST_READ_AT_FIELD_NUMBER: _ClassVar[int]
    FOLDER_ID_FIELD_NUMBER: _ClassVar[int]
    FOLDER_UNREAD_COUNTS_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    last_read_at: int
    folder_id: str
    folder_unread_counts: _containers.ScalarMap[str, int]
    def __init__(self, chat_id: _Optional[str] = ..., last_read_at: _Optional[int] = ..., folder_id: _Optional[str] = ..., folder_unread_counts: _Optional[_Mapping[str, int]] = ...) -> None: ...

class SendChatMessageEventRequest(_message.Message):
    __slots__ = ("chat_id", "message_id", "type", "data_json")
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    DATA_JSON_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    message_id: str
    type: str
    data_json: bytes
    def __init__(self, chat_id: _Optional[str] = ..., message_id: _Optional[str] = ..., type: _Optional[str] = ..., data_json: _Optional[bytes] = ...) -> None: ...

class SendChatMessageEventResponse(_message.Message):
    __slots__ = ("sent",)
    SENT_FIELD_NUMBER: _ClassVar[int]
    sent: bool
    def __init__(self, sent: _Optional[bool] = ...) -> None: ...

class GetChatConfigRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetChatConfigResponse(_message.Message):
    __slots__ = ("config_json",)
    CONFIG_JSON_FIELD_NUMBER: _ClassVar[int]
    config_json: bytes
    def __init__(self, config_json: _Optional[bytes] = ...) -> None: ...

class UpdateChatConfigRequest(_message.Message):
    __slots__ = ("config_json",)
    CONFIG_JSON_FIELD_NUMBER: _ClassVar[int]
    config_json: bytes
    def __init__(self, config_json: _Optional[bytes] = ...) -> None: ...

class UpdateChatConfigResponse(_message.Message):
    __slots__ = ("config_json",)
    CONFIG_JSON_FIELD_NUMBER: _ClassVar[int]
    config_json: bytes
    def __init__(self, config_json: _Optional[bytes] = ...) -> None: ...

class GetChatUsageStatsRequest(_message.Message):
    __slots__ = ("page", "items_per_page")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    ITEMS_PER_PAGE_FIELD_NUMBER: _ClassVar[int]
    page: int
    items_per_page: int
    def __init__(self, page: _Optional[int] = ..., items_per_page: _Optional[int] = ...) -> None: ...

class GetChatUsageStatsResponse(_message.Message):
    __slots__ = ("items_json", "total")
    ITEMS_JSON_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    items_json: _containers.RepeatedScalarFieldContainer[bytes]
    total: int
    def __init__(self, items_json: _Optional[_Iterable[bytes]] = ..., total: _Optional[int] = ...) -> None: ...

class ExportChatStatsRequest(_message.Message):
    __slots__ = ("updated_after", "page")
    UPDATED_AFTER_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    updated_after: int
    page: int
    def __init__(self, updated_after: _Optional[int] = ..., page: _Optional[int] = ...) -> None: ...

class ExportChatStatsResponse(_message.Message):
    __slots__ = ("items_json", "total")
    ITEMS_JSON_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    items_json: _containers.RepeatedScalarFieldContainer[bytes]
    total: int
    def __init__(self, items_json: _Optional[_Iterable[bytes]] = ..., total: _Optional[int] = ...) -> None: ...

class ExportOneChatStatsRequest(_message.Message):
    __slots__ = ("chat_id",)
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    def __init__(self, chat_id: _Optional[str] = ...) -> None: ...

class ExportOneChatStatsResponse(_message.Message):
    __slots__ = ("stats_json",)
    STATS_JSON_FIELD_NUMBER: _ClassVar[int]
    stats_json: bytes
    def __init__(self, stats_json: _Optional[bytes] = ...) -> None: ...

class SharedChat(_message.Message):
    __slots__ = ("share_id", "chat_id", "title", "created_at", "updated_at")
    SHARE_ID_FIELD_NUMBER: _ClassVar[int]
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    share_id: str
    chat_id: str
    title: str
    created_at: int
    updated_at: int
    def __init__(self, share_id: _Optional[str] = ..., chat_id: _Optional[str] = ..., title: _Optional[str] = ..., created_at: _Optional[int] = ..., updated_at: _Optional[int] = ...) -> None: ...

class ChatAccessGrant(_message.Message):
    __slots__ = ("id", "principal_type", "principal_id", "permission")
    ID_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_TYPE_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_ID_FIELD_NUMBER: _ClassVar[int]
    PERMISSION_FIELD_NUMBER: _ClassVar[int]
    id: str
    principal_type: str
    principal_id: str
    permission: str
    def __init__(self, id: _Optional[str] = ..., principal_type: _Optional[str] = ..., principal_id: _Optional[str] = ..., permission: _Optional[str] = ...) -> None: ...

class ShareChatRequest(_message.Message):
    __slots__ = ("id", "share_mode")
    ID_FIELD_NUMBER: _ClassVar[int]
    SHARE_MODE_FIELD_NUMBER: _ClassVar[int]
    id: str
    share_mode: ChatShareMode
    def __init__(self, id: _Optional[str] = ..., share_mode: _Optional[_Union[ChatShareMode, str]] = ...) -> None: ...

class ShareChatResponse(_message.Message):
    __slots__ = ("chat",)
    CHAT_FIELD_NUMBER: _ClassVar[int]
    chat: Chat
    def __init__(self, chat: _Optional[_Union[Chat, _Mapping]] = ...) -> None: ...

class UnshareChatRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class UnshareChatResponse(_message.Message):
    __slots__ = ("done",)
    DONE_FIELD_NUMBER: _ClassVar[int]
    done: bool
    def __init__(self, done: _Optional[bool] = ...) -> None: ...

class UnshareAllChatsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class UnshareAllChatsResponse(_message.Message):
    __slots__ = ("done",)
    DONE_FIELD_NUMBER: _ClassVar[int]
    done: bool
    def __init__(self, done: _Optional[bool] = ...) -> None: ...

class ListSharedChatsRequest(_message.Message):
    __slots__ = ("page", "query", "order_by", "ascending")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    ASCENDING_FIELD_NUMBER: _ClassVar[int]
    page: int
    query: str
    order_by: str
    ascending: bool
    def __init__(self, page: _Optional[int] = ..., query: _Optional[str] = ..., order_by: _Optional[str] = ..., ascending: _Optional[bool] = ...) -> None: ...

class ListSharedChatsResponse(_message.Message):
    __slots__ = ("shares",)
    SHARES_FIELD_NUMBER: _ClassVar[int]
    shares: _containers.RepeatedCompositeFieldContainer[SharedChat]
    def __init__(self, shares: _Optional[_Iterable[_Union[SharedChat, _Mapping]]] = ...) -> None: ...

class GetSharedChatRequest(_message.Message):
    __slots__ = ("share_id",)
    SHARE_ID_FIELD_NUMBER: _ClassVar[int]
    share_id: str
    def __init__(self, share_id: _Optional[str] = ...) -> None: ...

class GetSharedChatResponse(_message.Message):
    __slots__ = ("chat",)
    CHAT_FIELD_NUMBER: _ClassVar[int]
    chat: Chat
    def __init__(self, chat: _Optional[_Union[Chat, _Mapping]] = ...) -> None: ...

class CloneSharedChatRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class CloneSharedChatResponse(_message.Message):
    __slots__ = ("chat",)
    CHAT_FIELD_NUMBER: _ClassVar[int]
    chat: Chat
    def __init__(self, chat: _Optional[_Union[Chat, _Mapping]] = ...) -> None: ...

class ListChatAccessGrantsRequest(_message.Message):
    __slots__ = ("chat_id",)
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    def __init__(self, chat_id: _Optional[str] = ...) -> None: ...

class ListChatAccessGrantsResponse(_message.Message):
    __slots__ = ("grants",)
    GRANTS_FIELD_NUMBER: _ClassVar[int]
    grants: _containers.RepeatedCompositeFieldContainer[ChatAccessGrant]
    def __init__(self, grants: _Optional[_Iterable[_Union[ChatAccessGrant, _Mapping]]] = ...) -> None: ...

class UpdateChatAccessGrantsRequest(_message.Message):
    __slots__ = ("chat_id", "access_grants_json", "share_mode")
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    ACCESS_GRANTS_JSON_FIELD_NUMBER: _ClassVar[int]
    SHARE_MODE_FIELD_NUMBER: _ClassVar[int]
    chat_id: str
    access_grants_json: bytes
    share_mode: ChatShareMode
    def __init__(self, chat_id: _Optional[str] = ..., access_grants_json: _Optional[bytes] = ..., share_mode: _Optional[_Union[ChatShareMode, str]] = ...) -> None: ...

class UpdateChatAccessGrantsResponse(_message.Message):
    __slots__ = ("chat",)
    CHAT_FIELD_NUMBER: _ClassVar[int]
    chat: Chat
    def __init__(self, chat: _Optional[_Union[Chat, _Mapping]] = ...) -> None: ...
