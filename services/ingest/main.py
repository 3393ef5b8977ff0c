"""Starts the ingest gRPC service: Postgres pool, NATS JetStream connection, health and reflection."""

import logging

from services.common.db import open_pool
from services.common.entrypoint import run_service
from services.common.grpc_server import serve_until_signal, start_grpc_service
from services.common.nats_client import close_nats, connect_nats
from services.ingest.settings import IngestSettings
from webui.ingest.v1 import ingest_pb2, ingest_pb2_grpc

log = logging.getLogger(__name__)

SERVICE_NAME = ingest_pb2.DESCRIPTOR.services_by_name["IngestService"].full_name


async def run(settings: IngestSettings) -> None:
    pool = await open_pool(
        settings.database_url,
        min_size=settings.db_pool_min,
        max_size=settings.db_pool_max,
        timeout_s=settings.db_timeout_s,
    )
    nc = await connect_nats(settings.nats_url, settings.nats_connect_timeout_s)
    # Fails start-up when the server has no JetStream, which step 3's jobs depend on.
    await nc.jetstream().account_info()
    servicer = ingest_pb2_grpc.IngestServiceServicer()
    service = await start_grpc_service(
        settings.listen,
        [SERVICE_NAME],
        lambda server: ingest_pb2_grpc.add_IngestServiceServicer_to_server(servicer, server),
    )
    log.info("ingest service listening on port %d", service.port)
    await serve_until_signal(
        service,
        settings.shutdown_grace_s,
        [lambda: close_nats(nc, settings.shutdown_grace_s), pool.close],
    )


def main() -> None:
    run_service("ingest", IngestSettings, run)


if __name__ == "__main__":
    main()
