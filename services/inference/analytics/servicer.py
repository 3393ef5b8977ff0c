"""AnalyticsService over gRPC: the request's filters in, the report's JSON out."""

import grpc

from services.common.errors import InvalidArgument
from services.common.grpc_identity import current_identity, require_verified
from services.common.identity import Identity
from services.inference.analytics.filters import Window
from services.inference.analytics.service import AnalyticsService
from services.inference.replies import dumps
from webui.inference.v1 import analytics_pb2 as pb
from webui.inference.v1 import analytics_pb2_grpc

Context = grpc.aio.ServicerContext


def _caller() -> Identity:
    return require_verified(current_identity())


def _window(message: pb.AnalyticsFilter) -> Window:
    if any("\x00" in user_id for user_id in message.user_ids):
        raise InvalidArgument("user_ids must not contain NUL characters")
    return Window(
        start=message.start_date if message.has_start_date else None,
        end=message.end_date if message.has_end_date else None,
        user_ids=tuple(message.user_ids) if message.restrict_users else None,
    )


class AnalyticsServicer(analytics_pb2_grpc.AnalyticsServiceServicer):
    def __init__(self, analytics: AnalyticsService) -> None:
        self._analytics = analytics

    async def GetUserUsage(  # noqa: N802
        self, request: pb.GetUserUsageRequest, context: Context
    ) -> pb.GetUserUsageResponse:
        report = await self._analytics.user_usage(
            _caller(),
            request.days,
            request.start_date if request.has_start_date else None,
            request.end_date if request.has_end_date else None,
        )
        return pb.GetUserUsageResponse(report_json=dumps(report))

    async def GetSummary(self, request: pb.GetSummaryRequest, context: Context) -> pb.GetSummaryResponse:  # noqa: N802
        report = await self._analytics.summary(_caller(), _window(request.filter))
        return pb.GetSummaryResponse(report_json=dumps(report))

    async def GetTokens(self, request: pb.GetTokensRequest, context: Context) -> pb.GetTokensResponse:  # noqa: N802
        report = await self._analytics.tokens(_caller(), _window(request.filter))
        return pb.GetTokensResponse(report_json=dumps(report))

    async def GetModels(self, request: pb.GetModelsRequest, context: Context) -> pb.GetModelsResponse:  # noqa: N802
        report = await self._analytics.models(_caller(), _window(request.filter))
        return pb.GetModelsResponse(report_json=dumps(report))

    async def GetUsers(self, request: pb.GetUsersRequest, context: Context) -> pb.GetUsersResponse:  # noqa: N802
        report = await self._analytics.users(
            _caller(), _window(request.filter), request.limit, request.metric
        )
        return pb.GetUsersResponse(report_json=dumps(report))

    async def GetDaily(self, request: pb.GetDailyRequest, context: Context) -> pb.GetDailyResponse:  # noqa: N802
        report = await self._analytics.daily(
            _caller(),
            _window(request.filter),
            request.granularity or "daily",
            request.metric or "messages",
            request.compare,
        )
        return pb.GetDailyResponse(report_json=dumps(report))

    async def GetMessages(self, request: pb.GetMessagesRequest, context: Context) -> pb.GetMessagesResponse:  # noqa: N802
        report = await self._analytics.messages(
            _caller(),
            _window(request.filter),
            chat_id=request.chat_id,
            model_id=request.model_id,
            user_id=request.user_id,
            skip=request.skip,
            limit=request.limit,
        )
        return pb.GetMessagesResponse(report_json=dumps(report))

    async def GetModelChats(  # noqa: N802
        self, request: pb.GetModelChatsRequest, context: Context
    ) -> pb.GetModelChatsResponse:
        report = await self._analytics.model_chats(
            _caller(), _window(request.filter), request.model_id, request.skip, request.limit
        )
        return pb.GetModelChatsResponse(report_json=dumps(report))

    async def GetModelOverview(  # noqa: N802
        self, request: pb.GetModelOverviewRequest, context: Context
    ) -> pb.GetModelOverviewResponse:
        report = await self._analytics.model_overview(_caller(), request.model_id, request.days)
        return pb.GetModelOverviewResponse(report_json=dumps(report))
