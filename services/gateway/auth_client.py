"""AuthService client: one function per RPC, each with the request id and a deadline."""

import grpc

from services.common.request_context import outgoing_metadata
from webui.auth.v1 import auth_pb2, auth_pb2_grpc


class AuthClient:
    """Calls AuthService over one shared channel."""

    def __init__(self, channel: grpc.aio.Channel, timeout_s: float) -> None:
        self._stub = auth_pb2_grpc.AuthServiceStub(channel)
        self._timeout_s = timeout_s

    def _opts(self, credential: str = "") -> dict:
        """The deadline, the request id and, for every RPC but the public ones, the credential of
        the user the call acts for."""
        return {"timeout": self._timeout_s, "metadata": outgoing_metadata(credential)}

    async def signup(self, name: str, email: str, password: str, profile_image_url: str) -> auth_pb2.Session:
        request = auth_pb2.SignupRequest(
            name=name, email=email, password=password, profile_image_url=profile_image_url
        )
        return (await self._stub.Signup(request, **self._opts())).session

    async def signin(self, email: str, password: str, client_address: str) -> auth_pb2.Session:
        request = auth_pb2.SigninRequest(email=email, password=password, client_address=client_address)
        return (await self._stub.Signin(request, **self._opts())).session

    async def authenticate(self, credential: str) -> auth_pb2.AuthenticateResponse:
        return await self._stub.Authenticate(
            auth_pb2.AuthenticateRequest(credential=credential), **self._opts()
        )

    async def signout(self, token: str) -> None:
        await self._stub.Signout(auth_pb2.SignoutRequest(token=token), **self._opts(token))

    async def change_password(self, credential: str, password: str, new_password: str) -> None:
        request = auth_pb2.ChangePasswordRequest(password=password, new_password=new_password)
        await self._stub.ChangePassword(request, **self._opts(credential))

    async def create_api_key(self, credential: str) -> str:
        request = auth_pb2.CreateApiKeyRequest()
        return (await self._stub.CreateApiKey(request, **self._opts(credential))).api_key

    async def get_api_key(self, credential: str) -> str:
        request = auth_pb2.GetApiKeyRequest()
        return (await self._stub.GetApiKey(request, **self._opts(credential))).masked_key

    async def delete_api_key(self, credential: str) -> None:
        await self._stub.DeleteApiKey(auth_pb2.DeleteApiKeyRequest(), **self._opts(credential))

    async def get_auth_status(self) -> auth_pb2.GetAuthStatusResponse:
        return await self._stub.GetAuthStatus(auth_pb2.GetAuthStatusRequest(), **self._opts())

    async def add_user(
        self, credential: str, name: str, email: str, password: str, profile_image_url: str, role: int
    ) -> auth_pb2.Session:
        request = auth_pb2.AddUserRequest(
            name=name, email=email, password=password, profile_image_url=profile_image_url, role=role
        )
        return (await self._stub.AddUser(request, **self._opts(credential))).session

    async def list_users(
        self, credential: str, query: str, order_by: str, direction: str, page: int, page_size: int
    ) -> auth_pb2.ListUsersResponse:
        request = auth_pb2.ListUsersRequest(
            query=query, order_by=order_by, direction=direction, page=page, page_size=page_size
        )
        return await self._stub.ListUsers(request, **self._opts(credential))

    async def count_active_users(self, credential: str, window_s: int) -> int:
        request = auth_pb2.CountActiveUsersRequest(window_s=window_s)
        return (await self._stub.CountActiveUsers(request, **self._opts(credential))).count

    async def get_user(self, credential: str, user_id: str) -> auth_pb2.User:
        request = auth_pb2.GetUserRequest(user_id=user_id)
        return (await self._stub.GetUser(request, **self._opts(credential))).user

    async def update_user(self, credential: str, request: auth_pb2.UpdateUserRequest) -> auth_pb2.User:
        return (await self._stub.UpdateUser(request, **self._opts(credential))).user

    async def delete_user(self, credential: str, user_id: str) -> None:
        request = auth_pb2.DeleteUserRequest(user_id=user_id)
        await self._stub.DeleteUser(request, **self._opts(credential))
