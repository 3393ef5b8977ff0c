from webui.common.v1 import identity_pb2 as _identity_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Role(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ROLE_UNSPECIFIED: _ClassVar[Role]
    ROLE_PENDING: _ClassVar[Role]
    ROLE_USER: _ClassVar[Role]
    ROLE_ADMIN: _ClassVar[Role]

class CredentialKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CREDENTIAL_KIND_UNSPECIFIED: _ClassVar[CredentialKind]
    CREDENTIAL_KIND_JWT: _ClassVar[CredentialKind]
    CREDENTIAL_KIND_API_KEY: _ClassVar[CredentialKind]
ROLE_UNSPECIFIED: Role
ROLE_PENDING: Role
ROLE_USER: Role
ROLE_ADMIN: Role
CREDENTIAL_KIND_UNSPECIFIED: CredentialKind
CREDENTIAL_KIND_JWT: CredentialKind
CREDENTIAL_KIND_API_KEY: CredentialKind

class User(_message.Message):
    __slots__ = ("id", "name", "email", "role", "profile_image_url", "created_at", "updated_at", "last_active_at", "primary_admin")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    PROFILE_IMAGE_URL_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_ACTIVE_AT_FIELD_NUMBER: _ClassVar[int]
    PRIMARY_ADMIN_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    email: str
    role: Role
    profile_image_url: str
    created_at: int
    updated_at: int
    last_active_at: int
    primary_admin: bool
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., email: _Optional[str] = ..., role: _Optional[_Union[Role, str]] = ..., profile_image_url: _Optional[str] = ..., created_at: _Optional[int] = ..., updated_at: _Optional[int] = ..., last_active_at: _Optional[int] = ..., primary_admin: _Optional[bool] = ...) -> None: ...

class Session(_message.Message):
    __slots__ = ("user", "token", "expires_at")
    USER_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    user: User
    token: str
    expires_at: int
    def __init__(self, user: _Optional[_Union[User, _Mapping]] = ..., token: _Optional[str] = ..., expires_at: _Optional[int] = ...) -> None: ...

class SignupRequest(_message.Message):
    __slots__ = ("name", "email", "password", "profile_image_url")
    NAME_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    PROFILE_IMAGE_URL_FIELD_NUMBER: _ClassVar[int]
    name: str
    email: str
    password: str
    profile_image_url: str
    def __init__(self, name: _Optional[str] = ..., email: _Optional[str] = ..., password: _Optional[str] = ..., profile_image_url: _Optional[str] = ...) -> None: ...

class SignupResponse(_message.Message):
    __slots__ = ("session",)
    SESSION_FIELD_NUMBER: _ClassVar[int]
    session: Session
    def __init__(self, session: _Optional[_Union[Session, _Mapping]] = ...) -> None: ...

class SigninRequest(_message.Message):
    __slots__ = ("email", "password", "client_address")
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    CLIENT_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    email: str
    password: str
    client_address: str
    def __init__(self, email: _Optional[str] = ..., password: _Optional[str] = ..., client_address: _Optional[str] = ...) -> None: ...

class SigninResponse(_message.Message):
    __slots__ = ("session",)
    SESSION_FIELD_NUMBER: _ClassVar[int]
    session: Session
    def __init__(self, session: _Optional[_Union[Session, _Mapping]] = ...) -> None: ...

class AuthenticateRequest(_message.Message):
    __slots__ = ("credential",)
    CREDENTIAL_FIELD_NUMBER: _ClassVar[int]
    credential: str
    def __init__(self, credential: _Optional[str] = ...) -> None: ...

class AuthenticateResponse(_message.Message):
    __slots__ = ("user", "kind", "expires_at", "identity")
    USER_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    IDENTITY_FIELD_NUMBER: _ClassVar[int]
    user: User
    kind: CredentialKind
    expires_at: int
    identity: _identity_pb2.Identity
    def __init__(self, user: _Optional[_Union[User, _Mapping]] = ..., kind: _Optional[_Union[CredentialKind, str]] = ..., expires_at: _Optional[int] = ..., identity: _Optional[_Union[_identity_pb2.Identity, _Mapping]] = ...) -> None: ...

class SignoutRequest(_message.Message):
    __slots__ = ("token",)
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    token: str
    def __init__(self, token: _Optional[str] = ...) -> None: ...

class SignoutResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ChangePasswordRequest(_message.Message):
    __slots__ = ("password", "new_password")
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    NEW_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    password: str
    new_password: str
    def __init__(self, password: _Optional[str] = ..., new_password: _Optional[str] = ...) -> None: ...

class ChangePasswordResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CreateApiKeyRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CreateApiKeyResponse(_message.Message):
    __slots__ = ("api_key",)
    API_KEY_FIELD_NUMBER: _ClassVar[int]
    api_key: str
    def __init__(self, api_key: _Optional[str] = ...) -> None: ...

class GetApiKeyRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetApiKeyResponse(_message.Message):
    __slots__ = ("masked_key",)
    MASKED_KEY_FIELD_NUMBER: _ClassVar[int]
    masked_key: str
    def __init__(self, masked_key: _Optional[str] = ...) -> None: ...

class DeleteApiKeyRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DeleteApiKeyResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetAuthStatusRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetAuthStatusResponse(_message.Message):
    __slots__ = ("has_users", "enable_signup", "enable_api_keys", "enable_login_form", "enable_folders", "enable_community_sharing", "enable_message_rating", "pending_user_overlay_title", "pending_user_overlay_content")
    HAS_USERS_FIELD_NUMBER: _ClassVar[int]
    ENABLE_SIGNUP_FIELD_NUMBER: _ClassVar[int]
    ENABLE_API_KEYS_FIELD_NUMBER: _ClassVar[int]
    ENABLE_LOGIN_FORM_FIELD_NUMBER: _ClassVar[int]
    ENABLE_FOLDERS_FIELD_NUMBER: _ClassVar[int]
    ENABLE_COMMUNITY_SHARING_FIELD_NUMBER: _ClassVar[int]
    ENABLE_MESSAGE_RATING_FIELD_NUMBER: _ClassVar[int]
    PENDING_USER_OVERLAY_TITLE_FIELD_NUMBER: _ClassVar[int]
    PENDING_USER_OVERLAY_CONTENT_FIELD_NUMBER: _ClassVar[int]
    has_users: bool
    enable_signup: bool
    enable_api_keys: bool
    enable_login_form: bool
    enable_folders: bool
    enable_community_sharing: bool
    enable_message_rating: bool
    pending_user_overlay_title: str
    pending_user_overlay_content: str
    def __init__(self, has_users: _Optional[bool] = ..., enable_signup: _Optional[bool] = ..., enable_api_keys: _Optional[bool] = ..., enable_login_form: _Optional[bool] = ..., enable_folders: _Optional[bool] = ..., enable_community_sharing: _Optional[bool] = ..., enable_message_rating: _Optional[bool] = ..., pending_user_overlay_title: _Optional[str] = ..., pending_user_overlay_content: _Optional[str] = ...) -> None: ...

class AddUserRequest(_message.Message):
    __slots__ = ("name", "email", "password", "profile_image_url", "role")
    NAME_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    PROFILE_IMAGE_URL_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    name: str
    email: str
    password: str
    profile_image_url: str
    role: Role
    def __init__(self, name: _Optional[str] = ..., email: _Optional[str] = ..., password: _Optional[str] = ..., profile_image_url: _Optional[str] = ..., role: _Optional[_Union[Role, str]] = ...) -> None: ...

class AddUserResponse(_message.Message):
    __slots__ = ("session",)
    SESSION_FIELD_NUMBER: _ClassVar[int]
    session: Session
    def __init__(self, session: _Optional[_Union[Session, _Mapping]] = ...) -> None: ...

class ListUsersRequest(_message.Message):
    __slots__ = ("query", "order_by", "direction", "page", "page_size")
    QUERY_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    query: str
    order_by: str
    direction: str
    page: int
    page_size: int
    def __init__(self, query: _Optional[str] = ..., order_by: _Optional[str] = ..., direction: _Optional[str] = ..., page: _Optional[int] = ..., page_size: _Optional[int] = ...) -> None: ...

class ListUsersResponse(_message.Message):
    __slots__ = ("users", "total")
    USERS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    users: _containers.RepeatedCompositeFieldContainer[User]
    total: int
    def __init__(self, users: _Optional[_Iterable[_Union[User, _Mapping]]] = ..., total: _Optional[int] = ...) -> None: ...

class GetUserRequest(_message.Message):
    __slots__ = ("user_id",)
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    def __init__(self, user_id: _Optional[str] = ...) -> None: ...

class GetUserResponse(_message.Message):
    __slots__ = ("user",)
    USER_FIELD_NUMBER: _ClassVar[int]
    user: User
    def __init__(self, user: _Optional[_Union[User, _Mapping]] = ...) -> None: ...

class UpdateUserRequest(_message.Message):
    __slots__ = ("user_id", "role", "name", "email", "profile_image_url", "password")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PROFILE_IMAGE_URL_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    role: Role
    name: str
    email: str
    profile_image_url: str
    password: str
    def __init__(self, user_id: _Optional[str] = ..., role: _Optional[_Union[Role, str]] = ..., name: _Optional[str] = ..., email: _Optional[str] = ..., profile_image_url: _Optional[str] = ..., password: _Optional[str] = ...) -> None: ...

class UpdateUserResponse(_message.Message):
    __slots__ = ("user",)
    USER_FIELD_NUMBER: _ClassVar[int]
    user: User
    def __init__(self, user: _Optional[_Union[User, _Mapping]] = ...) -> None: ...

class DeleteUserRequest(_message.Message):
    __slots__ = ("user_id",)
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    def __init__(self, user_id: _Optional[str] = ...) -> None: ...

class DeleteUserResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CountActiveUsersRequest(_message.Message):
    __slots__ = ("window_s",)
    WINDOW_S_FIELD_NUMBER: _ClassVar[int]
    window_s: int
    def __init__(self, window_s: _Optional[int] = ...) -> None: ...

class CountActiveUsersResponse(_message.Message):
    __slots__ = ("count",)
    COUNT_FIELD_NUMBER: _ClassVar[int]
    count: int
    def __init__(self, count: _Optional[int] = ...) -> None: ...
