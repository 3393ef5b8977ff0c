from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetUserUsageRequest(_message.Message):
    __slots__ = ("days", "start_date", "has_start_date", "end_date", "has_end_date")
    DAYS_FIELD_NUMBER: _ClassVar[int]
    START_DATE_FIELD_NUMBER: _ClassVar[int]
    HAS_START_DATE_FIELD_NUMBER: _ClassVar[int]
    END_DATE_FIELD_NUMBER: _ClassVar[int]
    HAS_END_DATE_FIELD_NUMBER: _ClassVar[int]
    days: int
    start_date: int
    has_start_date: bool
    end_date: int
    has_end_date: bool
    def __init__(self, days: _Optional[int] = ..., start_date: _Optional[int] = ..., has_start_date: _Optional[bool] = ..., end_date: _Optional[int] = ..., has_end_date: _Optional[bool] = ...) -> None: ...

class AnalyticsFilter(_message.Message):
    __slots__ = ("start_date", "has_start_date", "end_date", "has_end_date", "user_ids", "restrict_users")
    START_DATE_FIELD_NUMBER: _ClassVar[int]
    HAS_START_DATE_FIELD_NUMBER: _ClassVar[int]
    END_DATE_FIELD_NUMBER: _ClassVar[int]
    HAS_END_DATE_FIELD_NUMBER: _ClassVar[int]
    USER_IDS_FIELD_NUMBER: _ClassVar[int]
    RESTRICT_USERS_FIELD_NUMBER: _ClassVar[int]
    start_date: int
    has_start_date: bool
    end_date: int
    has_end_date: bool
    user_ids: _containers.RepeatedScalarFieldContainer[str]
    restrict_users: bool
    def __init__(self, start_date: _Optional[int] = ..., has_start_date: _Optional[bool] = ..., end_date: _Optional[int] = ..., has_end_date: _Optional[bool] = ..., user_ids: _Optional[_Iterable[str]] = ..., restrict_users: _Optional[bool] = ...) -> None: ...

class GetSummaryRequest(_message.Message):
    __slots__ = ("filter",)
    FILTER_FIELD_NUMBER: _ClassVar[int]
    filter: AnalyticsFilter
    def __init__(self, filter: _Optional[_Union[AnalyticsFilter, _Mapping]] = ...) -> None: ...

class GetTokensRequest(_message.Message):
    __slots__ = ("filter",)
    FILTER_FIELD_NUMBER: _ClassVar[int]
    filter: AnalyticsFilter
    def __init__(self, filter: _Optional[_Union[AnalyticsFilter, _Mapping]] = ...) -> None: ...

class GetModelsRequest(_message.Message):
    __slots__ = ("filter",)
    FILTER_FIELD_NUMBER: _ClassVar[int]
    filter: AnalyticsFilter
    def __init__(self, filter: _Optional[_Union[AnalyticsFilter, _Mapping]] = ...) -> None: ...

class GetUsersRequest(_message.Message):
    __slots__ = ("filter", "limit", "metric")
    FILTER_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    filter: AnalyticsFilter
    limit: int
    metric: str
    def __init__(self, filter: _Optional[_Union[AnalyticsFilter, _Mapping]] = ..., limit: _Optional[int] = ..., metric: _Optional[str] = ...) -> None: ...

class GetDailyRequest(_message.Message):
    __slots__ = ("filter", "granularity", "metric", "compare")
    FILTER_FIELD_NUMBER: _ClassVar[int]
    GRANULARITY_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    COMPARE_FIELD_NUMBER: _ClassVar[int]
    filter: AnalyticsFilter
    granularity: str
    metric: str
    compare: bool
    def __init__(self, filter: _Optional[_Union[AnalyticsFilter, _Mapping]] = ..., granularity: _Optional[str] = ..., metric: _Optional[str] = ..., compare: _Optional[bool] = ...) -> None: ...

class GetMessagesRequest(_message.Message):
    __slots__ = ("filter", "chat_id", "model_id", "user_id", "skip", "limit")
    FILTER_FIELD_NUMBER: _ClassVar[int]
    CHAT_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    SKIP_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    filter: AnalyticsFilter
    chat_id: str
    model_id: str
    user_id: str
    skip: int
    limit: int
    def __init__(self, filter: _Optional[_Union[AnalyticsFilter, _Mapping]] = ..., chat_id: _Optional[str] = ..., model_id: _Optional[str] = ..., user_id: _Optional[str] = ..., skip: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class GetModelChatsRequest(_message.Message):
    __slots__ = ("filter", "model_id", "skip", "limit")
    FILTER_FIELD_NUMBER: _ClassVar[int]
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    SKIP_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    filter: AnalyticsFilter
    model_id: str
    skip: int
    limit: int
    def __init__(self, filter: _Optional[_Union[AnalyticsFilter, _Mapping]] = ..., model_id: _Optional[str] = ..., skip: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class GetModelOverviewRequest(_message.Message):
    __slots__ = ("model_id", "days")
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    DAYS_FIELD_NUMBER: _ClassVar[int]
    model_id: str
    days: int
    def __init__(self, model_id: _Optional[str] = ..., days: _Optional[int] = ...) -> None: ...

class GetUserUsageResponse(_message.Message):
    __slots__ = ("report_json",)
    REPORT_JSON_FIELD_NUMBER: _ClassVar[int]
    report_json: bytes
    def __init__(self, report_json: _Optional[bytes] = ...) -> None: ...

class GetSummaryResponse(_message.Message):
    __slots__ = ("report_json",)
    REPORT_JSON_FIELD_NUMBER: _ClassVar[int]
    report_json: bytes
    def __init__(self, report_json: _Optional[bytes] = ...) -> None: ...

class GetTokensResponse(_message.Message):
    __slots__ = ("report_json",)
    REPORT_JSON_FIELD_NUMBER: _ClassVar[int]
    report_json: bytes
    def __init__(self, report_json: _Optional[bytes] = ...) -> None: ...

class GetModelsResponse(_message.Message):
    __slots__ = ("report_json",)
    REPORT_JSON_FIELD_NUMBER: _ClassVar[int]
    report_json: bytes
    def __init__(self, report_json: _Optional[bytes] = ...) -> None: ...

class GetUsersResponse(_message.Message):
    __slots__ = ("report_json",)
    REPORT_JSON_FIELD_NUMBER: _ClassVar[int]
    report_json: bytes
    def __init__(self, report_json: _Optional[bytes] = ...) -> None: ...

class GetDailyResponse(_message.Message):
    __slots__ = ("report_json",)
    REPORT_JSON_FIELD_NUMBER: _ClassVar[int]
    report_json: bytes
    def __init__(self, report_json: _Optional[bytes] = ...) -> None: ...

class GetMessagesResponse(_message.Message):
    __slots__ = ("report_json",)
    REPORT_JSON_FIELD_NUMBER: _ClassVar[int]
    report_json: bytes
    def __init__(self, report_json: _Optional[bytes] = ...) -> None: ...

class GetModelChatsResponse(_message.Message):
    __slots__ = ("report_json",)
    REPORT_JSON_FIELD_NUMBER: _ClassVar[int]
    report_json: bytes
    def __init__(self, report_json: _Optional[bytes] = ...) -> None: ...

class GetModelOverviewResponse(_message.Message):
    __slots__ = ("report_json",)
    REPORT_JSON_FIELD_NUMBER: _ClassVar[int]
    report_json: bytes
    def __init__(self, report_json: _Optional[bytes] = ...) -> None: ...
