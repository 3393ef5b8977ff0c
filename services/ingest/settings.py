"""Ingest service settings, from the environment."""

from pydantic import Field

from services.common.settings import ServiceSettings


class IngestSettings(ServiceSettings):
    listen: str = Field(default="127.0.0.1:50053", alias="INGEST_GRPC_LISTEN")
    nats_url: str = Field(alias="NATS_URL", min_length=1)
    nats_connect_timeout_s: float = Field(default=5.0, alias="NATS_CONNECT_TIMEOUT_S", gt=0)
