"""Where an admin's connection test (``/ollama/verify``, ``/openai/verify``) may go: the URL's host,
resolved once with a deadline, must lie wholly inside ``VERIFY_ALLOWED_NETWORKS``."""

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from services.common import messages
from services.common.errors import BadGateway, InvalidArgument
from services.common.networks import Networks, in_networks, parse_ip

log = logging.getLogger(__name__)

# (host, port) -> the addresses it resolves to, as text.
Resolve = Callable[[str, int], Awaitable[list[str]]]
_DEFAULT_PORTS = {"http": 80, "https": 443}


def allowed(address: str, networks: Networks) -> bool:
    """Whether ``address`` (as getaddrinfo gives it) is inside one of ``networks``; no networks
    means any address. An IPv4-mapped IPv6 address is judged by the IPv4 address it reaches."""
    if not networks:
        return True
    parsed = parse_ip(address)
    return parsed is not None and in_networks(parsed, networks)


async def system_resolve(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


@dataclass(frozen=True)
class CheckedTarget:
    """A URL's host and port, and every address it resolved to (all of them allowed)."""

    host: str
    port: int
    addresses: tuple[str, ...]


def _host_and_port(url: str) -> tuple[str, int]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise InvalidArgument("url must be an http(s) URL") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise InvalidArgument("url must be an http(s) URL")
    return parts.hostname, port if port is not None else _DEFAULT_PORTS[scheme]


class VerifyTargets:
    """Checks connection-test URLs against the allowed networks."""

    def __init__(
        self, networks: Networks, resolve_timeout_s: float, resolve: Resolve = system_resolve
    ) -> None:
        self._networks = networks
        self._resolve_timeout_s = resolve_timeout_s
        self._resolve = resolve

    async def check(self, url: str) -> CheckedTarget:
        """The URL's checked target; 400 when any address of its host is outside the allowed
        networks (one bad answer is enough: the connection could go to any of them), 502 when the
        host does not resolve within the deadline."""
        host, port = _host_and_port(url)
        try:
            async with asyncio.timeout(self._resolve_timeout_s):
                found = await self._resolve(host, port)
        except (OSError, TimeoutError) as error:
            log.warning("connection test: %s did not resolve: %s", host, error or type(error).__name__)
            raise BadGateway(messages.SERVER_CONNECTION_ERROR) from error
        addresses = tuple(dict.fromkeys(found))
        if not addresses:
            raise BadGateway(messages.SERVER_CONNECTION_ERROR)
        for address in addresses:
            if not allowed(address, self._networks):
                log.warning("connection test refused: %s resolves to %s", host, address)
                where = f"{host} resolves to {address}, which is" if host != address else f"{address} is"
                raise InvalidArgument(
                    f"{where} outside the networks connection tests may reach (VERIFY_ALLOWED_NETWORKS)"
                )
        return CheckedTarget(host, port, addresses)
