"""The fetcher's URL and address rules, and the resolver/redirect/size checks against loopback."""

import asyncio
import ipaddress
import socket

import pytest

from services.ingest.web_fetch import (
    CheckingResolver,
    FetchFailed,
    FetchPolicy,
    TooLarge,
    UrlRefused,
    WebFetcher,
    check_address,
    check_url,
)
from tests.fakes.web_server import PAGE_TEXT, FakeWebServer

POLICY = FetchPolicy.build()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://[::1]/",
        "http://10.1.2.3/",
        "http://172.16.0.1/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://169.254.10.10/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
        "http://[fc00::1]/",
        "http://[fd12:3456::1]/",
        "http://[fe80::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "http://[2002:7f00:1::]/",
        "http://[::127.0.0.1]/",
        "http://224.0.0.1/",
        "http://[ff02::1]/",
        "http://2130706433/",
        "http://0177.0.0.1/",
        "http://0x7f.0.0.1/",
        "http://0x7f000001/",
        "http://127.1/",
        "http://017700000001/",
        "http://user@example.com/",
        "http://user:pass@example.com/",
        "http://example.com@127.0.0.1/",
        "http://example.com\\@127.0.0.1/",
        "http://exa\tmple.com/",
        "http://example.com/\r\nHost: evil",
        "http://example.com/a b",
        "ftp://example.com/",
        "file:///etc/passwd",
        "gopher://example.com/",
        "javascript:alert(1)",
        "http:///nohost",
        "http://example.com:99999/",
        "http://metadata.google.internal/",
        "http://METADATA.azure.com./",
        "http://100.100.100.200/",
        "http://[fd00:ec2::254]/",
    ],
)
def test_refused(url: str) -> None:
    with pytest.raises(UrlRefused):
        check_url(url, POLICY)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/",
        "https://Example.COM./path?q=1",
        "http://93.184.216.34/",
        "http://[2606:4700::1111]/",
    ],
)
def test_allowed(url: str) -> None:
    check_url(url, POLICY)


def test_local_switch_opens_private_but_not_metadata() -> None:
    local = FetchPolicy.build(allow_local=True)
    check_url("http://127.0.0.1/", local)
    check_url("http://10.0.0.1/", local)
    with pytest.raises(UrlRefused):
        check_url("http://169.254.169.254/", local)
    with pytest.raises(UrlRefused):
        check_url("http://224.0.0.1/", local)


def test_local_allow_list_opens_only_its_networks() -> None:
    policy = FetchPolicy.build(local_allow_list=["127.0.0.2/32"])
    check_url("http://127.0.0.2:8080/", policy)
    with pytest.raises(UrlRefused):
        check_url("http://127.0.0.1:8080/", policy)
    with pytest.raises(UrlRefused):
        check_address(ipaddress.ip_address("::ffff:127.0.0.3"), policy)


def test_filter_list_allow_and_block() -> None:
    policy = FetchPolicy.build(["example.com", "!bad.example.com", "!93.184.0.0/16"])
    check_url("http://docs.example.com/", policy)
    with pytest.raises(UrlRefused, match="not in WEB_FETCH_FILTER_LIST"):
        check_url("http://example.org/", policy)
    with pytest.raises(UrlRefused, match="not in WEB_FETCH_FILTER_LIST"):
        check_url("http://notexample.com/", policy)
    with pytest.raises(UrlRefused, match="blocked"):
        check_url("http://x.bad.example.com/", policy)
    with pytest.raises(UrlRefused, match="blocked"):
        check_address(ipaddress.ip_address("93.184.216.34"), policy)


def _fetch(policy: FetchPolicy, url: str, max_bytes: int | None = None):  # type: ignore[no-untyped-def]
    async def go():  # type: ignore[no-untyped-def]
        fetcher = WebFetcher(policy)
        try:
            return await fetcher.fetch(url, max_bytes)
        finally:
            await fetcher.close()

    return asyncio.run(go())


@pytest.fixture(scope="module")
def site():  # type: ignore[no-untyped-def]
    with FakeWebServer(big_bytes=2 * 1024 * 1024) as server:
        yield server


def test_fetch_through_allowed_loopback(site: FakeWebServer) -> None:
    policy = FetchPolicy.build(local_allow_list=["127.0.0.2"])
    page = _fetch(policy, f"{site.url}/page.html")
    assert page.content_type == "text/html"
    assert PAGE_TEXT.encode() in page.body


def test_name_resolving_to_loopback_is_refused_at_connect() -> None:
    # "localhost" passes the URL rules (a name); only the resolver sees it is loopback.
    check_url("http://localhost:9/", POLICY)
    with pytest.raises(UrlRefused, match="loopback"):
        _fetch(POLICY, "http://localhost:9/")


def test_redirects_not_followed_by_default_and_rechecked(site: FakeWebServer) -> None:
    allowed = FetchPolicy.build(local_allow_list=["127.0.0.2"])
    with pytest.raises(FetchFailed, match="not followed"):
        _fetch(allowed, f"{site.url}/redirect")
    following = FetchPolicy.build(local_allow_list=["127.0.0.2"], max_redirects=2)
    assert PAGE_TEXT.encode() in _fetch(following, f"{site.url}/redirect").body
    to_loopback = f"{site.url}/redirect?to=http://127.0.0.1:{site.port}/page.html"
    with pytest.raises(UrlRefused, match="loopback"):
        _fetch(following, to_loopback)
    to_localhost = f"{site.url}/redirect?to=http://localhost:{site.port}/page.html"
    with pytest.raises(UrlRefused, match="loopback"):
        _fetch(following, to_localhost)


def test_size_cap_while_streaming_and_deadline(site: FakeWebServer) -> None:
    policy = FetchPolicy.build(local_allow_list=["127.0.0.2"], timeout_s=1.0)
    with pytest.raises(TooLarge):
        _fetch(policy, f"{site.url}/big", max_bytes=256 * 1024)
    with pytest.raises(FetchFailed, match="timed out"):
        _fetch(policy, f"{site.url}/slow")
    with pytest.raises(FetchFailed, match="404"):
        _fetch(policy, f"{site.url}/missing")


def test_overlong_url_refused() -> None:
    with pytest.raises(UrlRefused, match="longer"):
        check_url("http://example.com/" + "a" * 9000, POLICY)


def _answers(*addresses: str) -> list:
    return [
        (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 80))
        for a in addresses
    ]


def test_resolver_checks_every_answer_and_every_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    # A rebinding name: public when first asked, loopback the next time (the connect's own lookup).
    replies = iter([_answers("93.184.216.34"), _answers("127.0.0.1"), _answers("93.184.216.34", "10.0.0.7")])
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: next(replies))
    resolver = CheckingResolver(POLICY)

    async def lookups() -> list:
        outcomes = []
        for _ in range(3):
            try:
                outcomes.append([r["host"] for r in await resolver.resolve("rebind.example", 80)])
            except OSError as error:
                outcomes.append(str(error))
        return outcomes

    first, second, third = asyncio.run(lookups())
    assert first == ["93.184.216.34"]
    assert "loopback" in second
    assert "10.0.0.7" in third
