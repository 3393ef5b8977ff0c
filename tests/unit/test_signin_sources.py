"""Network lists from settings, gRPC peer parsing, and which address a sign-in is counted under."""

import ipaddress

import pytest

from services.auth.sources import DEFAULT_TRUSTED_NETWORKS, peer_ip, signin_source, source_key
from services.common.networks import PRIVATE_NETWORKS, in_networks, parse_ip, parse_networks


def test_parse_networks() -> None:
    assert parse_networks("") == ()
    assert parse_networks(" 10.0.0.0/8, 192.0.2.7  ::1 ") == (
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("192.0.2.7/32"),
        ipaddress.ip_network("::1/128"),
    )
    # Host bits are forgiven: 10.1.2.3/8 is 10.0.0.0/8.
    assert parse_networks("10.1.2.3/8") == (ipaddress.ip_network("10.0.0.0/8"),)
    everything = parse_networks("*")
    assert in_networks(parse_ip("203.0.113.1"), everything)
    assert in_networks(parse_ip("2001:db8::1"), everything)
    assert len(parse_networks(PRIVATE_NETWORKS)) == 6


@pytest.mark.parametrize("text", ["10.0.0.0/33", "localhost", "10.0.0.0/8;192.168.0.0/16", "::g/64"])
def test_parse_networks_refuses_typos(text: str) -> None:
    with pytest.raises(ValueError):
        parse_networks(text)


def test_parse_ip_and_membership() -> None:
    assert parse_ip("nope") is None and parse_ip("") is None
    # IPv4-mapped IPv6 is the IPv4 address, so IPv4 ranges hold it.
    assert parse_ip("::ffff:10.1.2.3") == ipaddress.ip_address("10.1.2.3")
    assert in_networks(parse_ip("::ffff:10.1.2.3"), DEFAULT_TRUSTED_NETWORKS)
    assert in_networks(parse_ip("fe80::1%eth0"), parse_networks("fe80::/10"))
    assert in_networks(parse_ip("fd12::5"), DEFAULT_TRUSTED_NETWORKS)
    assert not in_networks(parse_ip("203.0.113.1"), DEFAULT_TRUSTED_NETWORKS)
    assert not in_networks(parse_ip("172.32.0.1"), DEFAULT_TRUSTED_NETWORKS)
    assert not in_networks(parse_ip("127.0.0.1"), ())


@pytest.mark.parametrize(
    ("peer", "expected"),
    [
        ("ipv4:127.0.0.1:5555", "127.0.0.1"),
        ("ipv6:[::1]:5555", "::1"),
        ("ipv6:%5B::1%5D:54750", "::1"),
        ("ipv6:%5B2001:db8::7%5D:1", "2001:db8::7"),
        ("ipv6:[::ffff:10.0.0.9]:5555", "10.0.0.9"),
        ("unix:/tmp/auth.sock", None),
        ("ipv4:garbage:1", None),
        ("", None),
    ],
)
def test_peer_ip(peer: str, expected: str | None) -> None:
    found = peer_ip(peer)
    assert (str(found) if found else None) == expected


def test_signin_source_believes_only_trusted_callers() -> None:
    trusted = parse_networks("10.0.0.0/8")
    # Our gateway names the client.
    assert signin_source("ipv4:10.0.0.5:4000", "203.0.113.9", trusted) == "203.0.113.9"
    assert signin_source("ipv4:10.0.0.5:4000", "2001:db8::9", trusted) == "2001:db8::9"
    # Anyone else is counted under its own address, whatever it claims.
    assert signin_source("ipv4:198.51.100.1:4000", "203.0.113.9", trusted) == "198.51.100.1"
    assert signin_source("ipv6:%5B2001:db8::1%5D:4000", "10.0.0.1", trusted) == "2001:db8::1"
    # A trusted caller that names no client, or no address, is counted itself.
    assert signin_source("ipv4:10.0.0.5:4000", "", trusted) == "10.0.0.5"
    assert signin_source("ipv4:10.0.0.5:4000", "not an address", trusted) == "10.0.0.5"
    # A peer that is not an address is its own key.
    assert signin_source("unix:/tmp/auth.sock", "203.0.113.9", trusted) == "unix:/tmp/auth.sock"


def test_source_key() -> None:
    assert source_key("203.0.113.9") == "203.0.113.9"
    assert source_key("::ffff:203.0.113.9") == "203.0.113.9"
    assert source_key("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
    assert source_key("2001:db8:1:2::ffff") == "2001:db8:1:2::/64"
    assert source_key("::1") == "::/64"
    assert source_key("unix:/tmp/auth.sock") == "unix:/tmp/auth.sock"
    assert source_key("") == "unknown"
    assert len(source_key("x" * 1000)) == 100
