"""QuotasService over gRPC: protobuf in, QuotaAdmin's plain objects, protobuf out."""

import grpc

from services.common.usage.limit_rules import LIMIT_FIELDS
from services.common.usage.limit_store import StoredLimits
from services.inference.quotas.quota_admin import QuotaAdmin
from services.inference.servicer import caller_of
from webui.inference.v1 import quotas_pb2, quotas_pb2_grpc


def limits_message(limits: StoredLimits) -> quotas_pb2.SubjectLimits:
    values = {name: getattr(limits, name) for name in LIMIT_FIELDS if getattr(limits, name) is not None}
    return quotas_pb2.SubjectLimits(
        subject_type=limits.subject_type, subject_id=limits.subject_id, updated_at=limits.updated_at, **values
    )


def limits_of(message: quotas_pb2.SubjectLimits) -> StoredLimits:
    values = {name: getattr(message, name) if message.HasField(name) else None for name in LIMIT_FIELDS}
    return StoredLimits(message.subject_type, message.subject_id, **values)


class QuotasServicer(quotas_pb2_grpc.QuotasServiceServicer):
    def __init__(self, admin: QuotaAdmin) -> None:
        self._admin = admin

    async def ListLimits(  # noqa: N802 - gRPC method names
        self, request: quotas_pb2.ListLimitsRequest, context: grpc.aio.ServicerContext
    ) -> quotas_pb2.ListLimitsResponse:
        stored, defaults = await self._admin.list(caller_of())
        return quotas_pb2.ListLimitsResponse(
            limits=[limits_message(row) for row in stored], defaults=[limits_message(row) for row in defaults]
        )

    async def PutLimits(  # noqa: N802 - gRPC method names
        self, request: quotas_pb2.PutLimitsRequest, context: grpc.aio.ServicerContext
    ) -> quotas_pb2.PutLimitsResponse:
        stored = await self._admin.put(caller_of(), limits_of(request.limits))
        return quotas_pb2.PutLimitsResponse(limits=limits_message(stored))

    async def DeleteLimits(  # noqa: N802 - gRPC method names
        self, request: quotas_pb2.DeleteLimitsRequest, context: grpc.aio.ServicerContext
    ) -> quotas_pb2.DeleteLimitsResponse:
        await self._admin.delete(caller_of(), request.subject_type, request.subject_id)
        return quotas_pb2.DeleteLimitsResponse()
