"""UsageService over gRPC: protobuf in, ``UsageQueries``' rows out."""

import grpc

from services.common.grpc_identity import current_identity, require_verified
from services.common.usage.query import TOTALS
from services.inference.usage.queries import UsageQueries
from webui.inference.v1 import usage_pb2, usage_pb2_grpc


class UsageServicer(usage_pb2_grpc.UsageServiceServicer):
    def __init__(self, queries: UsageQueries) -> None:
        self._queries = queries

    async def QueryUsage(  # noqa: N802 - gRPC method names
        self, request: usage_pb2.QueryUsageRequest, context: grpc.aio.ServicerContext
    ) -> usage_pb2.QueryUsageResponse:
        rows = await self._queries.query(
            require_verified(current_identity()),
            user_id=request.user_id,
            key_id=request.key_id,
            group_id=request.group_id,
            model=request.model,
            kind=request.kind,
            start=request.start,
            end=request.end,
            group_by=list(request.group_by),
        )
        group_by = list(dict.fromkeys(request.group_by))
        return usage_pb2.QueryUsageResponse(
            rows=[
                usage_pb2.UsageRow(keys={k: row[k] for k in group_by}, **{t: row[t] for t in TOTALS})
                for row in rows
            ]
        )
