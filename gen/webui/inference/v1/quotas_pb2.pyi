from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SubjectLimits(_message.Message):
    __slots__ = ("subject_type", "subject_id", "rpm", "tpm", "tpd", "budget_day", "budget_month", "updated_at")
    SUBJECT_TYPE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_ID_FIELD_NUMBER: _ClassVar[int]
    RPM_FIELD_NUMBER: _ClassVar[int]
    TPM_FIELD_NUMBER: _ClassVar[int]
    TPD_FIELD_NUMBER: _ClassVar[int]
    BUDGET_DAY_FIELD_NUMBER: _ClassVar[int]
    BUDGET_MONTH_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    subject_type: str
    subject_id: str
    rpm: int
    tpm: int
    tpd: int
    budget_day: int
    budget_month: int
    updated_at: int
    def __init__(self, subject_type: _Optional[str] = ..., subject_id: _Optional[str] = ..., rpm: _Optional[int] = ..., tpm: _Optional[int] = ..., tpd: _Optional[int] = ..., budget_day: _Optional[int] = ..., budget_month: _Optional[int] = ..., updated_at: _Optional[int] = ...) -> None: ...

class ListLimitsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListLimitsResponse(_message.Message):
    __slots__ = ("limits", "defaults")
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    DEFAULTS_FIELD_NUMBER: _ClassVar[int]
    limits: _containers.RepeatedCompositeFieldContainer[SubjectLimits]
    defaults: _containers.RepeatedCompositeFieldContainer[SubjectLimits]
    def __init__(self, limits: _Optional[_Iterable[_Union[SubjectLimits, _Mapping]]] = ..., defaults: _Optional[_Iterable[_Union[SubjectLimits, _Mapping]]] = ...) -> None: ...

class PutLimitsRequest(_message.Message):
    __slots__ = ("limits",)
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    limits: SubjectLimits
    def __init__(self, limits: _Optional[_Union[SubjectLimits, _Mapping]] = ...) -> None: ...

class PutLimitsResponse(_message.Message):
    __slots__ = ("limits",)
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    limits: SubjectLimits
    def __init__(self, limits: _Optional[_Union[SubjectLimits, _Mapping]] = ...) -> None: ...

class DeleteLimitsRequest(_message.Message):
    __slots__ = ("subject_type", "subject_id")
    SUBJECT_TYPE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_ID_FIELD_NUMBER: _ClassVar[int]
    subject_type: str
    subject_id: str
    def __init__(self, subject_type: _Optional[str] = ..., subject_id: _Optional[str] = ...) -> None: ...

class DeleteLimitsResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
