"""Starts the inference gRPC service (health and reflection; its RPCs arrive in step 2)."""

import logging

from services.common.entrypoint import run_service
from services.common.grpc_server import serve_until_signal, start_grpc_service
from services.inference.settings import InferenceSettings
from webui.inference.v1 import inference_pb2, inference_pb2_grpc

log = logging.getLogger(__name__)

SERVICE_NAME = inference_pb2.DESCRIPTOR.services_by_name["InferenceService"].full_name


async def run(settings: InferenceSettings) -> None:
    servicer = inference_pb2_grpc.InferenceServiceServicer()
    service = await start_grpc_service(
        settings.listen,
        [SERVICE_NAME],
        lambda server: inference_pb2_grpc.add_InferenceServiceServicer_to_server(servicer, server),
    )
    log.info("inference service listening on port %d", service.port)
    await serve_until_signal(service, settings.shutdown_grace_s)


def main() -> None:
    run_service("inference", InferenceSettings, run)


if __name__ == "__main__":
    main()
