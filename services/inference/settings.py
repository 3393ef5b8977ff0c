"""Inference service settings, from the environment."""

from pydantic import Field

from services.common.settings import CommonSettings


class InferenceSettings(CommonSettings):
    listen: str = Field(default="127.0.0.1:50052", alias="INFERENCE_GRPC_LISTEN")
    shutdown_grace_s: float = Field(default=10.0, alias="SHUTDOWN_GRACE_S", ge=0)
