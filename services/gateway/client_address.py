"""The end client's address: the TCP peer, or the nearest untrusted X-Forwarded-For hop behind our proxies."""

from collections.abc import Iterable

from services.common.networks import Networks, in_networks, parse_ip


def _hop_ip(hop: str) -> str:
    """A hop as its bare address: some proxies write ``1.2.3.4:5678`` or ``[2001:db8::1]:5678``."""
    hop = hop.strip().strip('"')
    if hop.startswith("["):
        return hop[1 : hop.find("]")] if "]" in hop else hop
    if hop.count(":") == 1:
        return hop.partition(":")[0]
    return hop


def client_address(peer: str | None, forwarded_for: Iterable[str], trusted_proxies: Networks) -> str:
    """Who sent the request. X-Forwarded-For is believed only when ``peer`` is one of
    ``trusted_proxies``, and only from the right: each trusted proxy appends the address it saw,
    so the hops are walked right to left, past our own proxies, and the first other address is the
    client. Whatever lies to its left came from the client itself and could be anything. A hop that
    is not an address stops the walk at the last proxy seen (a stricter limit, never a looser one)."""
    address = (peer or "").strip()
    current = parse_ip(address)
    if current is None or not in_networks(current, trusted_proxies):
        return address
    hops = [hop for header in forwarded_for for hop in header.split(",") if hop.strip()]
    for hop in reversed(hops):
        ip = parse_ip(_hop_ip(hop))
        if ip is None:
            break
        current = ip
        if not in_networks(ip, trusted_proxies):
            break
    return str(current)
