"""Starts the inference gRPC service: pool, migrations, upstream transport, ingest channel, core,
server, probes, SIGTERM path."""

import asyncio
import contextlib
import logging
from pathlib import Path

import asyncpg
import grpc

from services.common.authenticators import open_remote_authenticator
from services.common.db import open_pool
from services.common.dependency_health import pool_check
from services.common.entrypoint import run_service
from services.common.group_directory import RemoteGroupDirectory
from services.common.grpc_channel import open_channel
from services.common.grpc_identity import verified_only
from services.common.grpc_server import GrpcService, serve_until_signal, start_grpc_service
from services.common.metrics import ServiceMetrics, new_registry
from services.common.migrations import apply_migrations
from services.common.settings import load_settings
from services.common.usage.settings import RecordingSettings
from services.common.usage.wiring import Recording, start_recording
from services.inference.analytics.wiring import build_analytics_servicer
from services.inference.chats.sharing_switch import CommunitySharing, auth_status_reader
from services.inference.chats.turn_repository import POOL_SETTINGS as TURN_POOL_SETTINGS
from services.inference.chats.wiring import build_chats_servicer
from services.inference.core import InferenceCore, build_core
from services.inference.folders.wiring import build_folders_servicer
from services.inference.group_reach import GroupReach
from services.inference.group_reach_servicer import GroupReachServicer
from services.inference.metrics import UpstreamMetrics
from services.inference.prompts.wiring import build_prompts_servicer
from services.inference.quotas.wiring import build_quotas
from services.inference.servicer import InferenceServicer
from services.inference.settings import InferenceSettings
from services.inference.tools.repository import ToolRepository
from services.inference.transport import AiohttpTransport
from services.inference.usage.queries import UsageQueries
from services.inference.usage.servicer import UsageServicer
from services.inference.workspace.repository import WorkspaceRepository
from webui.inference.v1 import (
    analytics_pb2,
    analytics_pb2_grpc,
    chats_pb2,
    chats_pb2_grpc,
    folders_pb2,
    folders_pb2_grpc,
    group_reach_pb2,
    group_reach_pb2_grpc,
    inference_pb2,
    inference_pb2_grpc,
    prompts_pb2,
    prompts_pb2_grpc,
    quotas_pb2,
    quotas_pb2_grpc,
    tools_pb2,
    tools_pb2_grpc,
    usage_pb2,
    usage_pb2_grpc,
)

log = logging.getLogger(__name__)

SERVICE_NAME = inference_pb2.DESCRIPTOR.services_by_name["InferenceService"].full_name
CHATS_SERVICE_NAME = chats_pb2.DESCRIPTOR.services_by_name["ChatsService"].full_name
FOLDERS_SERVICE_NAME = folders_pb2.DESCRIPTOR.services_by_name["FoldersService"].full_name
TOOLS_SERVICE_NAME = tools_pb2.DESCRIPTOR.services_by_name["ToolsService"].full_name
PROMPTS_SERVICE_NAME = prompts_pb2.DESCRIPTOR.services_by_name["PromptsService"].full_name
ANALYTICS_SERVICE_NAME = analytics_pb2.DESCRIPTOR.services_by_name["AnalyticsService"].full_name
USAGE_SERVICE_NAME = usage_pb2.DESCRIPTOR.services_by_name["UsageService"].full_name
QUOTAS_SERVICE_NAME = quotas_pb2.DESCRIPTOR.services_by_name["QuotasService"].full_name
GROUP_REACH_SERVICE_NAME = group_reach_pb2.DESCRIPTOR.services_by_name["GroupReachService"].full_name
MIGRATIONS = Path(__file__).parent / "migrations"


class RunningInference:
    """A started service and what must be closed after it."""

    def __init__(
        self,
        service: GrpcService,
        core: InferenceCore,
        transport: AiohttpTransport,
        pool: asyncpg.Pool,
        turn_pool: asyncpg.Pool,
        channels: list[grpc.aio.Channel],
        probe_interval_s: float,
        usage: Recording | None = None,
    ) -> None:
        self.service = service
        self.usage = usage
        self.core = core
        self.pool = pool
        self._turn_pool = turn_pool
        self._transport = transport
        self._channels = channels
        self._probes = asyncio.create_task(core.dispatcher.run_probes(probe_interval_s))
        core.tool_servers.start()

    async def close(self) -> None:
        self._probes.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._probes
        await self.core.pipeline.close()
        await self.core.tool_servers.close()
        await self.core.functions.close()
        await self.core.workspace.close()
        await self._transport.close()
        for channel in self._channels:
            await channel.close()
        # After the pipeline's background work: the last replies' records are queued by now.
        if self.usage is not None:
            await self.usage.close()
        await self._turn_pool.close()
        await self.pool.close()

    async def stop(self, grace_s: float) -> None:
        await self.service.stop(grace_s)
        await self.close()


async def start(settings: InferenceSettings) -> RunningInference:
    pool = await open_pool(
        settings.database_url,
        min_size=settings.db_pool_min,
        max_size=settings.db_pool_max,
        timeout_s=settings.db_timeout_s,
        startup_wait_s=settings.startup_wait_s,
    )
    await apply_migrations(pool, "inference", MIGRATIONS)
    usage = await start_recording(pool, load_settings(RecordingSettings, "inference"))
    # Completions' chat turns get a pool of their own: its connections keep one plan per statement.
    turn_pool = await open_pool(
        settings.database_url,
        min_size=1,
        max_size=settings.db_pool_max,
        timeout_s=settings.db_timeout_s,
        server_settings=TURN_POOL_SETTINGS,
    )
    transport = AiohttpTransport(settings.upstream_max_connections)
    ingest_channel = open_channel(settings.ingest_target, tls=settings.grpc_tls)
    authenticator, auth_channel = open_remote_authenticator(
        settings.auth_target, settings.auth_timeout_s, settings.auth_cache_ttl_s, settings.grpc_tls
    )
    metrics = ServiceMetrics(new_registry(), settings.metrics_listen)
    # Grants naming a group that does not exist are refused: AuthService says which exist.
    groups = RemoteGroupDirectory(auth_channel, settings.auth_timeout_s)
    core = build_core(
        settings, transport, pool, turn_pool, ingest_channel, UpstreamMetrics(metrics.registry), groups=groups
    )
    core.pipeline.record_usage_with(usage.recorder)
    quota_gate, quotas_servicer = await build_quotas(pool, settings.usage_limits)
    servicer = InferenceServicer(core, usage.recorder, quotas=quota_gate)
    usage_servicer = UsageServicer(UsageQueries(pool, settings.db_timeout_s))
    sharing = CommunitySharing(
        auth_status_reader(auth_channel, settings.auth_timeout_s), settings.enable_community_sharing
    )
    chats_servicer = build_chats_servicer(pool, settings, groups, sharing)
    folders_servicer = build_folders_servicer(pool, groups)
    tools_servicer = core.python_tools.servicer()
    prompts_servicer = build_prompts_servicer(pool, settings, groups)
    analytics_servicer = build_analytics_servicer(pool)
    reach_servicer = GroupReachServicer(GroupReach(WorkspaceRepository(pool), ToolRepository(pool)))

    def register(server: grpc.aio.Server) -> None:
        inference_pb2_grpc.add_InferenceServiceServicer_to_server(servicer, server)
        chats_pb2_grpc.add_ChatsServiceServicer_to_server(chats_servicer, server)
        folders_pb2_grpc.add_FoldersServiceServicer_to_server(folders_servicer, server)
        tools_pb2_grpc.add_ToolsServiceServicer_to_server(tools_servicer, server)
        prompts_pb2_grpc.add_PromptsServiceServicer_to_server(prompts_servicer, server)
        quotas_pb2_grpc.add_QuotasServiceServicer_to_server(quotas_servicer, server)
        usage_pb2_grpc.add_UsageServiceServicer_to_server(usage_servicer, server)
        analytics_pb2_grpc.add_AnalyticsServiceServicer_to_server(analytics_servicer, server)
        group_reach_pb2_grpc.add_GroupReachServiceServicer_to_server(reach_servicer, server)

    service = await start_grpc_service(
        settings.listen,
        [
            SERVICE_NAME,
            CHATS_SERVICE_NAME,
            FOLDERS_SERVICE_NAME,
            TOOLS_SERVICE_NAME,
            PROMPTS_SERVICE_NAME,
            ANALYTICS_SERVICE_NAME,
            USAGE_SERVICE_NAME,
            QUOTAS_SERVICE_NAME,
            GROUP_REACH_SERVICE_NAME,
        ],
        register,
        metrics,
        tls=settings.grpc_tls,
        authenticator=authenticator,
        authorize=verified_only,
        max_inflight_rpcs=settings.max_inflight_rpcs,
    )
    service.watch_dependencies({"postgres": pool_check(pool)})
    log.info("inference service listening on port %d", service.port)
    # Cooled-down upstreams are probed at least once a second (sooner with a shorter cool-down).
    return RunningInference(
        service,
        core,
        transport,
        pool,
        turn_pool,
        [ingest_channel, auth_channel],
        min(1.0, settings.upstream_cooldown_s),
        usage=usage,
    )


async def run(settings: InferenceSettings) -> None:
    running = await start(settings)
    await serve_until_signal(running.service, settings.shutdown_grace_s, [running.close])


def main() -> None:
    run_service("inference", InferenceSettings, run, uvloop=True)


if __name__ == "__main__":
    main()
