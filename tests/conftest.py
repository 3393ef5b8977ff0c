"""Fixtures shared by the integration and end-to-end layers: one embedded PostgreSQL per run."""

import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest

from services.common.infra import EmbeddedPostgres


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    """A throw-away PostgreSQL cluster (fsync off) for the whole test run."""
    server = EmbeddedPostgres(tmp_path_factory.mktemp("pg") / "data", durable=False)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def database_url(pg_server: EmbeddedPostgres) -> AsyncIterator[str]:
    """A fresh, empty database on the shared cluster, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(pg_server.url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    yield pg_server.url.rsplit("/", 1)[0] + f"/{name}"
    admin = await asyncpg.connect(pg_server.url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
