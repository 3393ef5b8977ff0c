"""The generated signing key, shared by auth replicas through Postgres when WEBUI_SECRET_KEY is unset."""

import asyncio
import logging
from pathlib import Path

import asyncpg
import pytest

from services.auth.secret_key import SECRET_FILE_NAME
from services.auth.tokens import TokenIssuer
from webui.auth.v1 import auth_pb2

PASSWORD = "correct horse"


async def stored_keys(database_url: str) -> list[str]:
    conn = await asyncpg.connect(database_url)
    try:
        return [r["secret"] for r in await conn.fetch("SELECT secret FROM auth_secret_key")]
    finally:
        await conn.close()


async def authenticate(stub, token: str) -> auth_pb2.AuthenticateResponse:
    return await stub.Authenticate(auth_pb2.AuthenticateRequest(credential=token))


async def test_replicas_on_separate_disks_verify_each_others_tokens(
    start_auth, database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    disks = [tmp_path / "one", tmp_path / "two"]
    # Started together: both race to insert the key, and both must end up with the one row.
    (one, _, _), (two, _, _) = await asyncio.gather(
        *(start_auth(WEBUI_SECRET_KEY="", DATA_DIR=str(disk)) for disk in disks)
    )
    first = await one.Signup(auth_pb2.SignupRequest(name="A", email="a@example.com", password=PASSWORD))
    second = await two.Signup(auth_pb2.SignupRequest(name="B", email="b@example.com", password=PASSWORD))
    assert (await authenticate(two, first.session.token)).user.id == first.session.user.id
    assert (await authenticate(one, second.session.token)).user.id == second.session.user.id
    [key] = await stored_keys(database_url)
    assert len(key) >= 32
    # Nothing is written to disk, and the key never reaches the logs.
    assert not any(disk.joinpath(SECRET_FILE_NAME).exists() for disk in disks)
    assert all(key not in record.getMessage() for record in caplog.records)
    # A replica started later reads the same key.
    three, _, _ = await start_auth(WEBUI_SECRET_KEY="", DATA_DIR=str(tmp_path / "three"))
    assert (await authenticate(three, first.session.token)).user.id == first.session.user.id


async def test_an_older_installs_key_file_is_kept(start_auth, database_url: str, tmp_path: Path) -> None:
    old = tmp_path / "old"
    old.mkdir()
    old.joinpath(SECRET_FILE_NAME).write_text("key-of-an-install-from-before-the-upgrade\n")
    stub, _, _ = await start_auth(WEBUI_SECRET_KEY="", DATA_DIR=str(old))
    reply = await stub.Signup(auth_pb2.SignupRequest(name="A", email="a@example.com", password=PASSWORD))
    session = reply.session
    assert await stored_keys(database_url) == ["key-of-an-install-from-before-the-upgrade"]
    # Tokens are signed with the old key, so those the old install issued stay valid.
    claims = TokenIssuer("key-of-an-install-from-before-the-upgrade", None).decode(session.token)
    assert claims.user_id == session.user.id
    # A new replica on an empty disk signs with the same key.
    other, _, _ = await start_auth(WEBUI_SECRET_KEY="", DATA_DIR=str(tmp_path / "new"))
    assert (await authenticate(other, session.token)).user.id == session.user.id


async def test_the_environment_key_wins_and_is_not_stored(start_auth, database_url: str) -> None:
    stub, _, _ = await start_auth()
    reply = await stub.Signup(auth_pb2.SignupRequest(name="A", email="a@example.com", password=PASSWORD))
    session = reply.session
    assert await stored_keys(database_url) == []
    claims = TokenIssuer("integration-secret-of-at-least-32-bytes", None).decode(session.token)
    assert claims.user_id == session.user.id
