"""The gateway's view of the client: the TCP peer, or X-Forwarded-For behind a trusted proxy."""

import pytest

from services.common.networks import parse_networks
from services.gateway.client_address import client_address
from services.gateway.settings import GatewaySettings

PROXIES = parse_networks("10.0.0.0/8, 2001:db8:ffff::/48")


def test_no_trusted_proxies_means_the_peer_whatever_the_header() -> None:
    assert client_address("203.0.113.9", ["198.51.100.1"], ()) == "203.0.113.9"
    assert client_address("127.0.0.1", ["198.51.100.1"], ()) == "127.0.0.1"


def test_untrusted_peer_cannot_forge_the_header() -> None:
    assert client_address("203.0.113.9", ["198.51.100.1"], PROXIES) == "203.0.113.9"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        # The proxy appended the client it saw.
        (["198.51.100.1"], "198.51.100.1"),
        # Whatever the client sent itself lies further left and is ignored.
        (["1.2.3.4, 198.51.100.1"], "198.51.100.1"),
        # Chained proxies of ours are walked past, across repeated headers too.
        (["1.2.3.4, 198.51.100.1, 10.0.0.7", "10.0.0.8"], "198.51.100.1"),
        (["2001:db8::5, 2001:db8:ffff::1"], "2001:db8::5"),
        # Ports and brackets some proxies write.
        (["198.51.100.1:4711"], "198.51.100.1"),
        (['"[2001:db8::5]:4711"'], "2001:db8::5"),
        # Only our proxies: the one farthest out.
        (["10.0.0.9, 10.0.0.8"], "10.0.0.9"),
        # No header: the proxy itself.
        ([], "10.0.0.1"),
        ([" , "], "10.0.0.1"),
        # A hop that is not an address stops at the last proxy seen: never a client-chosen key.
        (["198.51.100.1, unknown"], "10.0.0.1"),
        (["unknown, 10.0.0.8"], "10.0.0.8"),
    ],
)
def test_trusted_proxy_names_the_nearest_untrusted_hop(headers: list[str], expected: str) -> None:
    assert client_address("10.0.0.1", headers, PROXIES) == expected


def test_missing_peer_is_empty() -> None:
    assert client_address(None, ["198.51.100.1"], PROXIES) == ""


def test_forwarded_allow_ips_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    assert GatewaySettings().trusted_proxies == ()
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.0/8,192.0.2.1")
    assert len(GatewaySettings().trusted_proxies) == 2
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.0/99")
    with pytest.raises(ValueError, match="FORWARDED_ALLOW_IPS"):
        GatewaySettings()
