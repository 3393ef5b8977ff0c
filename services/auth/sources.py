"""Where a sign-in comes from: the gRPC peer, or the client a trusted gateway names, as a rate-limit key."""

import ipaddress
from urllib.parse import unquote

from services.common.networks import (
    PRIVATE_NETWORKS,
    IPAddress,
    Networks,
    in_networks,
    parse_ip,
    parse_networks,
)

DEFAULT_TRUSTED_NETWORKS = parse_networks(PRIVATE_NETWORKS)
# IPv6 sources are counted per /64: one subscriber usually holds a whole /64, and counting single
# addresses would give an attacker 2**64 fresh sources.
_IPV6_SOURCE_PREFIX = 64
_MAX_SOURCE_CHARS = 100


def peer_ip(peer: str) -> IPAddress | None:
    """The address in a gRPC peer string (``ipv4:10.0.0.1:5555``, ``ipv6:[::1]:5555``, the latter
    URL-encoded by recent gRPC as ``ipv6:%5B::1%5D:5555``); None for a Unix socket or anything else."""
    scheme, _, rest = unquote(peer).partition(":")
    if scheme == "ipv4":
        host = rest.rpartition(":")[0]
    elif scheme == "ipv6":
        host = rest.rpartition(":")[0].removeprefix("[").removesuffix("]")
    else:
        return None
    return parse_ip(host)


def signin_source(peer: str, client_address: str, trusted: Networks) -> str:
    """The address a sign-in is counted against: the client the caller names when the caller is in
    ``trusted`` (our gateway, which saw the client), else the caller itself."""
    caller = peer_ip(peer)
    if caller is None:
        return peer
    if client_address and in_networks(caller, trusted):
        claimed = parse_ip(client_address)
        if claimed is not None:
            return str(claimed)
    return str(caller)


def source_key(source: str) -> str:
    """The key sign-in attempts are counted under: an IPv4 address, an IPv6 /64, or, for a source
    that is not an address (a Unix socket peer), its text."""
    address = parse_ip(source)
    if address is None:
        return source.strip()[:_MAX_SOURCE_CHARS] or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        network = ipaddress.IPv6Network((address.packed, _IPV6_SOURCE_PREFIX), strict=False)
        return str(network)
    return str(address)
