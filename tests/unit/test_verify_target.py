"""Connection tests (``/ollama/verify``, ``/openai/verify``): the allowed networks, the checked and
pinned addresses, and redirects that are reported, never followed."""

import asyncio
import json
import socket

import pytest

from services.common import messages
from services.common.errors import BadGateway, InvalidArgument
from services.common.identity import Identity
from services.common.networks import parse_networks
from services.inference.dispatch import Dispatcher
from services.inference.pinned_resolver import PinnedResolver
from services.inference.proxy_common import ProxyCall, redirect_refused, verify
from services.inference.settings import InferenceSettings
from services.inference.transport import ConnectFailed, Timeouts
from services.inference.upstreams import Kind, UpstreamPool
from services.inference.verify_target import VerifyTargets, allowed
from tests.unit.fake_transport import FakeResponse, FakeTransport

TIMEOUTS = Timeouts(total_s=5.0, connect_s=1.0)
ADMIN = Identity("admin", role="admin")
PRIVATE = parse_networks("10.0.0.0/8, 192.168.0.0/16, fd00::/8")


def resolver(answers: dict[str, list[str]], seen: list | None = None):
    async def resolve(host: str, port: int) -> list[str]:
        if seen is not None:
            seen.append((host, port))
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return answers[host]

    return resolve


# -- networks ---------------------------------------------------------------------------------------


def test_no_networks_allows_any_address_and_mapped_ipv6_is_judged_as_ipv4() -> None:
    assert allowed("169.254.169.254", ()) and allowed("::1", ())
    assert allowed("10.2.3.4", PRIVATE) and allowed("fd12::1", PRIVATE)
    assert allowed("::ffff:10.2.3.4", PRIVATE)
    assert not allowed("::ffff:127.0.0.1", parse_networks("::/0"))
    assert not allowed("127.0.0.1", PRIVATE) and not allowed("not an address", PRIVATE)
    assert allowed("127.0.0.1", parse_networks("*"))


def test_settings_read_and_check_the_allowed_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VERIFY_ALLOWED_NETWORKS", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://unused")
    assert InferenceSettings().verify_allowed_networks == ()
    monkeypatch.setenv("VERIFY_ALLOWED_NETWORKS", "10.0.0.0/8,fd00::/8")
    assert [str(n) for n in InferenceSettings().verify_allowed_networks] == ["10.0.0.0/8", "fd00::/8"]
    monkeypatch.setenv("VERIFY_ALLOWED_NETWORKS", "10.0.0.0/8,nope")
    with pytest.raises(ValueError, match="VERIFY_ALLOWED_NETWORKS"):
        InferenceSettings()


# -- checking a URL ---------------------------------------------------------------------------------


async def test_check_resolves_the_host_once_and_returns_every_address() -> None:
    seen: list = []
    targets = VerifyTargets(PRIVATE, 1.0, resolver({"ollama.lan": ["10.0.0.5", "fd00::5", "10.0.0.5"]}, seen))
    target = await targets.check("http://Ollama.LAN:11434/")
    assert (target.host, target.port, target.addresses) == ("ollama.lan", 11434, ("10.0.0.5", "fd00::5"))
    assert seen == [("ollama.lan", 11434)]
    assert (await targets.check("https://ollama.lan/v1")).port == 443


async def test_check_refuses_when_any_address_is_outside_the_allowed_networks() -> None:
    answers = {"mixed.lan": ["10.0.0.5", "127.0.0.1"], "meta.lan": ["169.254.169.254"]}
    targets = VerifyTargets(PRIVATE, 1.0, resolver(answers))
    for url, address in (("http://mixed.lan", "127.0.0.1"), ("http://meta.lan/x", "169.254.169.254")):
        with pytest.raises(InvalidArgument) as refused:
            await targets.check(url)
        assert refused.value.detail == (
            f"{url.split('/')[2]} resolves to {address}, which is outside the networks connection tests "
            "may reach (VERIFY_ALLOWED_NETWORKS)"
        )


async def test_with_no_networks_configured_any_address_passes() -> None:
    targets = VerifyTargets((), 1.0, resolver({"meta.lan": ["169.254.169.254"]}))
    assert (await targets.check("http://meta.lan")).addresses == ("169.254.169.254",)


async def test_address_literals_are_checked_too_with_the_system_resolver() -> None:
    # getaddrinfo answers address literals itself: no DNS is asked.
    targets = VerifyTargets(PRIVATE, 1.0)
    assert (await targets.check("http://10.1.1.1:8080")).addresses == ("10.1.1.1",)
    for url in ("http://127.0.0.1:11434", "http://[::1]:11434", "http://[::ffff:127.0.0.1]/"):
        with pytest.raises(InvalidArgument) as refused:
            await targets.check(url)
        assert refused.value.detail.endswith(
            " is outside the networks connection tests may reach (VERIFY_ALLOWED_NETWORKS)"
        )
    with pytest.raises(InvalidArgument) as refused:
        await targets.check("http://127.0.0.1:11434")
    assert refused.value.detail.startswith("127.0.0.1 is outside")


async def test_an_ipv6_zone_does_not_hide_the_address() -> None:
    targets = VerifyTargets(parse_networks("fe80::/10"), 1.0, resolver({"link.lan": ["fe80::1%eth0"]}))
    assert (await targets.check("http://link.lan")).addresses == ("fe80::1%eth0",)
    with pytest.raises(InvalidArgument):
        await VerifyTargets(PRIVATE, 1.0, resolver({"link.lan": ["fe80::1%eth0"]})).check("http://link.lan")


async def test_a_host_that_does_not_resolve_in_time_is_a_connection_error() -> None:
    async def slow(host: str, port: int) -> list[str]:
        await asyncio.sleep(10)
        return ["10.0.0.1"]

    for targets in (
        VerifyTargets(PRIVATE, 0.01, slow),
        VerifyTargets(PRIVATE, 1.0, resolver({})),
        VerifyTargets(PRIVATE, 1.0, resolver({"empty.lan": []})),
    ):
        with pytest.raises(BadGateway) as failed:
            await targets.check("http://empty.lan")
        assert failed.value.detail == messages.SERVER_CONNECTION_ERROR


@pytest.mark.parametrize(
    "url", ["http://", "http://host:99999", "http://host:port", "ftp://host", "http:///x"]
)
async def test_urls_without_a_usable_host_and_port_are_refused(url: str) -> None:
    with pytest.raises(InvalidArgument, match="url must be an http"):
        await VerifyTargets((), 1.0, resolver({"host": ["10.0.0.1"]})).check(url)


# -- the pinned resolver ----------------------------------------------------------------------------


async def test_pinned_resolver_answers_only_the_checked_addresses() -> None:
    pinned = PinnedResolver(["10.0.0.5", "fd00::5"])
    found = await pinned.resolve("anything.example", 443, socket.AF_UNSPEC)
    assert [(r["host"], r["port"], r["family"]) for r in found] == [
        ("10.0.0.5", 443, socket.AF_INET),
        ("fd00::5", 443, socket.AF_INET6),
    ]
    assert [r["host"] for r in await pinned.resolve("x", 80, socket.AF_INET6)] == ["fd00::5"]
    with pytest.raises(OSError):
        await PinnedResolver(["10.0.0.5"]).resolve("x", 80, socket.AF_INET6)
    await pinned.close()


# -- verify ----------------------------------------------------------------------------------------


def verify_call(url: str, key: str = "") -> ProxyCall:
    return ProxyCall(ADMIN, "POST", "/verify", "", json.dumps({"url": url, "key": key}).encode())


async def run_verify(transport: FakeTransport, targets: VerifyTargets, url: str) -> list:
    dispatcher = Dispatcher(UpstreamPool([], 3, 10.0), transport, TIMEOUTS)
    call = verify_call(url)
    return [part async for part in verify(dispatcher, call, Kind.OLLAMA, "/api/version", TIMEOUTS, targets)]


LAN = VerifyTargets(PRIVATE, 1.0, resolver({"ollama.lan": ["10.0.0.5"], "inside.lan": ["127.0.0.1"]}))


async def test_verify_connects_to_the_checked_addresses_only() -> None:
    transport = FakeTransport(default=FakeResponse(body=b'{"version": "1"}'))
    parts = await run_verify(transport, LAN, "http://ollama.lan:11434/")
    assert parts[-1] == b'{"version":"1"}'
    assert transport.calls == [("ollama[-1]", "GET", "/api/version")] and transport.pinned == [("10.0.0.5",)]


async def test_verify_refuses_a_url_outside_the_allowed_networks_before_any_request() -> None:
    transport = FakeTransport(default=FakeResponse(body=b'{"version": "1"}'))
    with pytest.raises(InvalidArgument) as refused:
        await run_verify(transport, LAN, "http://inside.lan:11434")
    assert "127.0.0.1" in refused.value.detail and refused.value.http_status is None
    assert transport.calls == []


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_verify_reports_a_redirect_as_a_failed_test(status: int) -> None:
    moved = FakeResponse(status, body=b'{"version": "1"}', headers={"Location": "http://127.0.0.1/"})
    transport = FakeTransport(default=moved)
    with pytest.raises(BadGateway) as failed:
        await run_verify(transport, LAN, "http://ollama.lan")
    expected = f"Unexpected error: HTTP Error: {status} (redirects are not followed: give the final URL)"
    assert failed.value.detail == redirect_refused(status) == expected
    assert len(transport.calls) == 1


@pytest.mark.parametrize(
    "outcome",
    [
        ConnectFailed("refused"),
        FakeResponse(404, body=b'{"error": "x"}'),
        FakeResponse(body=b"<html>"),
        FakeResponse(break_on_read=True),
    ],
)
async def test_verify_failures_are_server_connection_errors(outcome: object) -> None:
    transport = FakeTransport(default=outcome)  # type: ignore[arg-type]
    with pytest.raises(BadGateway) as failed:
        await run_verify(transport, LAN, "http://ollama.lan")
    assert failed.value.detail == messages.SERVER_CONNECTION_ERROR


async def test_verify_still_refuses_urls_that_are_not_http() -> None:
    with pytest.raises(InvalidArgument, match="url must be an http"):
        await run_verify(FakeTransport(), LAN, "ftp://ollama.lan")
