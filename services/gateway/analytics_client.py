"""AnalyticsService client: one function per RPC, each with the caller's credential and a deadline.
Each returns the report's JSON bytes as the service wrote them."""

import grpc

from services.common.request_context import outgoing_metadata
from services.gateway.auth_guard import Principal
from services.gateway.forms.analytics import AnalyticsQuery, UserUsageQuery
from webui.inference.v1 import analytics_pb2 as pb
from webui.inference.v1 import analytics_pb2_grpc


def analytics_filter(query: AnalyticsQuery, user_ids: list[str] | None) -> pb.AnalyticsFilter:
    """``user_ids``: a group's members (None: everyone)."""
    return pb.AnalyticsFilter(
        start_date=query.start_date or 0,
        has_start_date=query.start_date is not None,
        end_date=query.end_date or 0,
        has_end_date=query.end_date is not None,
        user_ids=user_ids or [],
        restrict_users=user_ids is not None,
    )


class AnalyticsClient:
    """Calls AnalyticsService (served by the inference service) over the inference channel."""

    def __init__(self, channel: grpc.aio.Channel, timeout_s: float) -> None:
        self._stub = analytics_pb2_grpc.AnalyticsServiceStub(channel)
        self._timeout_s = timeout_s

    def _opts(self, principal: Principal) -> dict:
        return {"timeout": self._timeout_s, "metadata": outgoing_metadata(principal.credential)}

    async def user_usage(self, principal: Principal, query: UserUsageQuery) -> bytes:
        request = pb.GetUserUsageRequest(
            days=query.days,
            start_date=query.start_date or 0,
            has_start_date=query.start_date is not None,
            end_date=query.end_date or 0,
            has_end_date=query.end_date is not None,
        )
        return (await self._stub.GetUserUsage(request, **self._opts(principal))).report_json

    async def summary(self, principal: Principal, where: pb.AnalyticsFilter) -> bytes:
        reply = await self._stub.GetSummary(pb.GetSummaryRequest(filter=where), **self._opts(principal))
        return reply.report_json

    async def tokens(self, principal: Principal, where: pb.AnalyticsFilter) -> bytes:
        reply = await self._stub.GetTokens(pb.GetTokensRequest(filter=where), **self._opts(principal))
        return reply.report_json

    async def models(self, principal: Principal, where: pb.AnalyticsFilter) -> bytes:
        reply = await self._stub.GetModels(pb.GetModelsRequest(filter=where), **self._opts(principal))
        return reply.report_json

    async def users(self, principal: Principal, where: pb.AnalyticsFilter, limit: int, metric: str) -> bytes:
        request = pb.GetUsersRequest(filter=where, limit=limit, metric=metric)
        return (await self._stub.GetUsers(request, **self._opts(principal))).report_json

    async def daily(
        self, principal: Principal, where: pb.AnalyticsFilter, granularity: str, metric: str, compare: bool
    ) -> bytes:
        request = pb.GetDailyRequest(filter=where, granularity=granularity, metric=metric, compare=compare)
        return (await self._stub.GetDaily(request, **self._opts(principal))).report_json

    async def messages(self, principal: Principal, where: pb.AnalyticsFilter, query: AnalyticsQuery) -> bytes:
        request = pb.GetMessagesRequest(
            filter=where,
            chat_id=query.chat_id or "",
            model_id=query.model_id or "",
            user_id=query.user_id or "",
            skip=query.skip,
            limit=query.limit,
        )
        return (await self._stub.GetMessages(request, **self._opts(principal))).report_json

    async def model_chats(
        self, principal: Principal, where: pb.AnalyticsFilter, model_id: str, skip: int, limit: int
    ) -> bytes:
        request = pb.GetModelChatsRequest(filter=where, model_id=model_id, skip=skip, limit=limit)
        return (await self._stub.GetModelChats(request, **self._opts(principal))).report_json

    async def model_overview(self, principal: Principal, model_id: str, days: int) -> bytes:
        request = pb.GetModelOverviewRequest(model_id=model_id, days=days)
        return (await self._stub.GetModelOverview(request, **self._opts(principal))).report_json
