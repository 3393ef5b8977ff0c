"""IP networks named in settings, and addresses given as text tested against them."""

import functools
import ipaddress
from typing import Annotated

from pydantic import AfterValidator

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Networks = tuple[IPNetwork, ...]

# Loopback and private ranges: where our own gateway and services run.
PRIVATE_NETWORKS = "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7"


@functools.lru_cache(maxsize=16)
def parse_networks(text: str) -> Networks:
    """Comma- or space-separated CIDRs or single addresses; ``*`` means every address; empty, none.
    Raises ValueError on anything else, so a typo stops the service at start."""
    networks: list[IPNetwork] = []
    for item in text.replace(",", " ").split():
        if item == "*":
            networks += [ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0")]
        else:
            networks.append(ipaddress.ip_network(item, strict=False))
    return tuple(networks)


def parse_ip(text: str) -> IPAddress | None:
    """The address in ``text``, or None; an IPv4-mapped IPv6 address is the IPv4 address it maps."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def in_networks(address: IPAddress, networks: Networks) -> bool:
    # A scope id (fe80::1%eth0) names the link, not another host: membership ignores it.
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id:
        address = ipaddress.IPv6Address(address.packed)
    return any(address in network for network in networks)


def _checked(text: str) -> str:
    parse_networks(text)
    return text


# A setting naming networks, kept as its text and checked when the settings load.
NetworksText = Annotated[str, AfterValidator(_checked)]
