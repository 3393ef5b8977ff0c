"""An SSRF-safe fetcher: URL rules before any request, address rules at connect time.

Every URL (the first and each redirect hop) passes ``check_url``: http(s) only, no control
characters or backslashes, no credentials, no ambiguous numeric hosts, Open WebUI's host filter
list. Every address a name resolves to passes ``check_address`` inside the connector's resolver, so
a name that resolves to a public address when checked and a private one when connected to (DNS
rebinding) cannot slip through: the check is on the address actually connected to.
"""

import asyncio
import contextlib
import ipaddress
import re
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from services.ingest.web_settings import WebFetchSettings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Cloud metadata endpoints, refused whatever the settings (Open WebUI's default filter list).
ALWAYS_BLOCKED = (
    "169.254.169.254",
    "fd00:ec2::254",
    "metadata.google.internal",
    "metadata.azure.com",
    "100.100.100.200",
)

_REDIRECTS = {301, 302, 303, 307, 308}
# A last label that is all digits or hex (0x..) makes a host an IPv4 address in some spelling.
_NUMERIC_LABEL = re.compile(r"(0x[0-9a-f]*|[0-9]+)")
_READ_BYTES = 64 * 1024
MAX_URL_CHARS = 8192


class UrlRefused(Exception):
    """The URL or an address it leads to is not allowed; ``reason`` says which rule refused it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FetchFailed(Exception):
    """The fetch itself failed (network, status, timeout); ``reason`` for logs."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TooLarge(FetchFailed):
    pass


class _AddressRefused(OSError):
    """Raised inside the resolver (aiohttp wraps OSErrors into connector errors)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    allow_local: bool = False
    allow_hosts: tuple[str, ...] = ()
    block_hosts: tuple[str, ...] = ()
    block_networks: tuple[IPNetwork, ...] = ()
    local_allowed: tuple[IPNetwork, ...] = ()
    max_redirects: int = 0
    timeout_s: float = 15.0
    max_bytes: int = 5 * 1024 * 1024
    user_agent: str = "open-webui-compatible-fetcher"

    @classmethod
    def build(
        cls,
        filter_list: list[str] | tuple[str, ...] = (),
        local_allow_list: list[str] | tuple[str, ...] = (),
        **kwargs: Any,
    ) -> "FetchPolicy":
        allow: list[str] = []
        block_hosts: list[str] = []
        block_networks: list[IPNetwork] = []
        for entry in [*filter_list, *(f"!{b}" for b in ALWAYS_BLOCKED)]:
            entry = entry.strip().lower()
            blocked = entry.startswith("!")
            entry = entry.lstrip("!").strip().rstrip(".")
            if not entry:
                continue
            try:
                network = ipaddress.ip_network(entry, strict=False)
            except ValueError:
                (block_hosts if blocked else allow).append(entry)
                continue
            if blocked:
                block_networks.append(network)
            else:
                allow.append(entry)
        local = tuple(ipaddress.ip_network(item, strict=False) for item in local_allow_list)
        return cls(
            allow_hosts=tuple(allow),
            block_hosts=tuple(block_hosts),
            block_networks=tuple(block_networks),
            local_allowed=local,
            **kwargs,
        )

    @classmethod
    def from_settings(
        cls, settings: WebFetchSettings, max_download_bytes: int | None = None
    ) -> "FetchPolicy":
        return cls.build(
            settings.filter_list,
            settings.local_allow_list,
            allow_local=settings.allow_local,
            max_redirects=settings.max_redirects,
            timeout_s=settings.timeout_s,
            max_bytes=max_download_bytes or settings.max_page_bytes,
            user_agent=settings.user_agent,
        )


def _host_matches(host: str, entry: str) -> bool:
    return host == entry or host.endswith("." + entry)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, Teredo client, or IPv4-compatible)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if int(address) >> 32 == 0 and int(address) > 1:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def check_address(address: IPAddress, policy: FetchPolicy) -> None:
    """Refuses blocked networks always, and non-public addresses unless local fetching is on or the
    address is in the local allow-list."""
    candidates: list[IPAddress] = [address]
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:
            candidates.append(inner)
    for candidate in candidates:
        for network in policy.block_networks:
            if candidate.version == network.version and candidate in network:
                raise UrlRefused(f"address {candidate} is blocked by WEB_FETCH_FILTER_LIST")
        if candidate.is_multicast or candidate.is_unspecified:
            raise UrlRefused(f"address {candidate} is not a unicast address")
        if candidate.is_global:
            continue
        if policy.allow_local:
            continue
        if any(candidate.version == n.version and candidate in n for n in policy.local_allowed):
            continue
        raise UrlRefused(
            f"address {candidate} is private, loopback, link-local or reserved "
            "(ENABLE_LOCAL_WEB_FETCH is off)"
        )


def check_url(url: str, policy: FetchPolicy) -> str:
    """The URL's host, lower-cased, once every URL rule passed; ``UrlRefused`` otherwise. A host
    that is an IP address is checked here (no resolver sees it); names at connect time."""
    if len(url) > MAX_URL_CHARS:
        raise UrlRefused(f"the URL is longer than {MAX_URL_CHARS} characters")
    if any(ch in url for ch in "\\\t\r\n") or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        raise UrlRefused("the URL holds a backslash or a control character")
    if " " in url:
        raise UrlRefused("the URL holds a space")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise UrlRefused(f"the URL is malformed ({error})") from None
    del port
    if parts.scheme.lower() not in ("http", "https"):
        raise UrlRefused("only http and https URLs are fetched")
    if "@" in parts.netloc or parts.username is not None or parts.password is not None:
        raise UrlRefused("the URL carries credentials")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise UrlRefused("the URL has no host")
    literal: IPAddress | None
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
        if _NUMERIC_LABEL.fullmatch(host.rsplit(".", 1)[-1]):
            # 2130706433, 0177.0.0.1, 0x7f.1, 127.1: resolvers read these as addresses.
            raise UrlRefused("the host is a numeric address in a non-standard form") from None
        bad_name = "%" in host or not all(ch.isascii() and (ch.isalnum() or ch in "-._") for ch in host)
        if bad_name:
            raise UrlRefused(
                "the host name holds characters other than ASCII letters, digits, '-', '.'"
            ) from None
    for entry in policy.block_hosts:
        if _host_matches(host, entry):
            raise UrlRefused(f"host {host} is blocked by WEB_FETCH_FILTER_LIST")
    if policy.allow_hosts and not any(_host_matches(host, entry) for entry in policy.allow_hosts):
        raise UrlRefused(f"host {host} is not in WEB_FETCH_FILTER_LIST")
    if literal is not None:
        check_address(literal, policy)
    return host


class CheckingResolver(AbstractResolver):
    """Resolves through the system resolver, then refuses the whole answer if any address in it is
    refused (a name mixing public and private answers is a rebinding attempt)."""

    def __init__(self, policy: FetchPolicy) -> None:
        self._policy = policy

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, family=family)
        except socket.gaierror as error:
            raise OSError(f"cannot resolve {host}: {error}") from None
        results: list[ResolveResult] = []
        for info_family, _, proto, _, sockaddr in infos:
            address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
            try:
                check_address(address, self._policy)
            except UrlRefused as refused:
                raise _AddressRefused(refused.reason) from None
            results.append(
                ResolveResult(
                    hostname=host,
                    host=str(address),
                    port=int(sockaddr[1]),
                    family=info_family,
                    proto=proto,
                    flags=socket.AI_NUMERICHOST | socket.AI_NUMERICSERV,
                )
            )
        if not results:
            raise OSError(f"no address for {host}")
        return results

    async def close(self) -> None:
        return None


@dataclass(frozen=True, slots=True)
class FetchedPage:
    url: str
    content_type: str
    charset: str | None
    body: bytes


def _refusal(error: BaseException) -> str | None:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _AddressRefused):
            return current.reason
        os_error = getattr(current, "os_error", None)
        if isinstance(os_error, _AddressRefused):
            return os_error.reason
        current = current.__cause__ or current.__context__
    return None


class WebFetcher:
    """One HTTP session, opened on first use, with the checking resolver; ``close`` at shutdown."""

    def __init__(self, policy: FetchPolicy) -> None:
        self.policy = policy
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                resolver=CheckingResolver(self.policy), use_dns_cache=False, limit=32
            )
            self._session = aiohttp.ClientSession(connector=connector, trust_env=False)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def fetch(self, url: str, max_bytes: int | None = None) -> FetchedPage:
        """One GET (and the redirects the policy allows, each checked again), the body capped at
        ``max_bytes`` while it streams, all within the policy's deadline."""
        async with self.open(url) as download:
            body = await download.read(max_bytes or self.policy.max_bytes)
            return FetchedPage(download.url, download.content_type, download.charset, body)

    @contextlib.asynccontextmanager
    async def open(self, url: str) -> AsyncIterator["Download"]:
        """The response to one GET, after the redirects the policy allows (each checked again);
        the body is the caller's to stream, within the policy's deadline (which covers the
        caller's work inside the block too)."""
        session = self._open()
        headers = {"User-Agent": self.policy.user_agent, "Accept": "*/*"}
        try:
            async with asyncio.timeout(self.policy.timeout_s):
                for hop in range(self.policy.max_redirects + 1):
                    check_url(url, self.policy)
                    async with session.get(url, headers=headers, allow_redirects=False) as response:
                        location = response.headers.get("Location")
                        if response.status in _REDIRECTS and location:
                            if hop == self.policy.max_redirects:
                                raise FetchFailed(f"redirect to {location[:200]} not followed")
                            url = urljoin(url, location)
                            continue
                        if response.status >= 400:
                            raise FetchFailed(f"HTTP {response.status}")
                        yield Download(url, response)
                        return
                raise FetchFailed("too many redirects")
        except TimeoutError:
            raise FetchFailed("timed out") from None
        except aiohttp.ClientError as error:
            reason = _refusal(error)
            if reason is not None:
                raise UrlRefused(reason) from None
            raise FetchFailed(f"{type(error).__name__}: {error}") from None
        except _AddressRefused as refused:
            raise UrlRefused(refused.reason) from None
        except UnicodeError as error:
            raise FetchFailed(str(error)) from None


class Download:
    """An open response: its final URL, type, and body as capped chunks."""

    def __init__(self, url: str, response: aiohttp.ClientResponse) -> None:
        self.url = url
        self.content_type = response.content_type
        self.charset = response.charset
        self._response = response

    async def chunks(self, limit: int) -> AsyncIterator[bytes]:
        """The body in pieces; ``TooLarge`` once more than ``limit`` bytes came (or were declared)."""
        declared = self._response.content_length
        if declared is not None and declared > limit:
            raise TooLarge(f"{declared} bytes declared, more than {limit}")
        seen = 0
        async for piece in self._response.content.iter_chunked(_READ_BYTES):
            seen += len(piece)
            if seen > limit:
                raise TooLarge(f"more than {limit} bytes")
            yield piece

    async def read(self, limit: int) -> bytes:
        body = bytearray()
        async for piece in self.chunks(limit):
            body += piece
        return bytes(body)
