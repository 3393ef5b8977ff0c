"""The embedded infrastructure: PostgreSQL keeps its data across restarts, NATS runs JetStream."""

from pathlib import Path

import asyncpg
import nats
from nats.js.api import AckPolicy, ConsumerConfig

from services.common.infra import EmbeddedNats, EmbeddedPostgres, free_ports


async def test_postgres_data_survives_restart(tmp_path: Path) -> None:
    server = EmbeddedPostgres(tmp_path / "pg")
    server.start()
    try:
        conn = await asyncpg.connect(server.url)
        await conn.execute("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')")
        await conn.close()
        server.stop()
        restarted = EmbeddedPostgres(tmp_path / "pg")
        restarted.start()
        server = restarted
        conn = await asyncpg.connect(server.url)
        assert await conn.fetchval("SELECT v FROM kept") == "still here"
        await conn.close()
    finally:
        server.stop()


async def test_nats_jetstream_keeps_messages_across_restart(tmp_path: Path) -> None:
    server = EmbeddedNats(tmp_path / "nats")
    server.start()
    try:
        nc = await nats.connect(server.url)
        js = nc.jetstream()
        await js.add_stream(name="PROBE", subjects=["probe.>"])
        await js.publish("probe.one", b"hello", headers={"Nats-Msg-Id": "one"})
        duplicate = await js.publish("probe.one", b"hello", headers={"Nats-Msg-Id": "one"})
        assert duplicate.duplicate
        await nc.close()
        server.stop()
        server = EmbeddedNats(tmp_path / "nats")
        server.start()
        nc = await nats.connect(server.url)
        js = nc.jetstream()
        sub = await js.pull_subscribe(
            "probe.>", durable="worker", config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT)
        )
        messages = await sub.fetch(1, timeout=5)
        assert [m.data for m in messages] == [b"hello"]
        await messages[0].ack()
        await nc.close()
    finally:
        server.stop()


async def test_leftover_servers_from_a_killed_launcher_are_replaced(tmp_path: Path) -> None:
    # A launcher killed with SIGKILL leaves both servers running on the data dirs.
    orphan_pg = EmbeddedPostgres(tmp_path / "pg")
    orphan_pg.start()
    orphan_nats = EmbeddedNats(tmp_path / "nats")
    orphan_nats.start()
    pg = EmbeddedPostgres(tmp_path / "pg")
    nats_server = EmbeddedNats(tmp_path / "nats")
    try:
        pg.start()
        nats_server.start()
        conn = await asyncpg.connect(pg.url)
        assert await conn.fetchval("SELECT 1") == 1
        await conn.close()
        nc = await nats.connect(nats_server.url)
        await nc.jetstream().account_info()
        await nc.close()
        assert orphan_nats._process is not None and orphan_nats._process.wait(timeout=5) == 0
    finally:
        nats_server.stop()
        pg.stop()


def test_free_ports_are_distinct_and_skip_the_excluded() -> None:
    first = free_ports(1)[0]
    ports = free_ports(50, exclude={first})
    assert len(set(ports)) == 50
    assert first not in ports
