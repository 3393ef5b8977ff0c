"""Two gateway replicas on one auth service: tokens work on both, revocations reach both in 5 s."""

import time

import requests

from tests.e2e.conftest import Running

REVOCATION_BOUND_S = 5.0


def seconds_until_refused(url: str, headers: dict[str, str], path: str = "/api/v1/auths/api_key") -> float:
    started = time.monotonic()
    while time.monotonic() - started < REVOCATION_BOUND_S + 2:
        if requests.get(f"{url}{path}", headers=headers, timeout=5).status_code == 401:
            return time.monotonic() - started
        time.sleep(0.1)
    return float("inf")


def test_token_from_one_gateway_works_on_the_other(running: Running, second_gateway: str) -> None:
    account = running.signup("replica@example.com")
    reply = requests.get(f"{second_gateway}/api/v1/auths/", headers=account.headers, timeout=10)
    assert reply.status_code == 200 and reply.json()["email"] == account.email


def test_signout_on_one_replica_bites_on_the_other_within_bound(
    running: Running, second_gateway: str
) -> None:
    account = running.signup("revoke-jwt@example.com")
    # Warm the second replica's cache, so the test sees the cache's bound and not a first lookup.
    assert (
        requests.get(f"{second_gateway}/api/v1/auths/", headers=account.headers, timeout=10).status_code
        == 200
    )
    signout = requests.post(f"{running.url}/api/v1/auths/signout", headers=account.headers, timeout=10)
    assert signout.status_code == 200
    assert seconds_until_refused(second_gateway, account.headers, "/api/v1/auths/") <= REVOCATION_BOUND_S


def test_deleted_api_key_is_refused_on_the_other_within_bound(running: Running, second_gateway: str) -> None:
    account = running.signup("revoke-key@example.com")
    key = requests.post(f"{running.url}/api/v1/auths/api_key", headers=account.headers, timeout=10).json()
    key_headers = {"Authorization": f"Bearer {key['api_key']}"}
    assert (
        requests.get(f"{second_gateway}/api/v1/auths/api_key", headers=key_headers, timeout=10).status_code
        == 200
    )
    assert (
        requests.delete(f"{running.url}/api/v1/auths/api_key", headers=account.headers, timeout=10).json()
        is True
    )
    assert seconds_until_refused(second_gateway, key_headers) <= REVOCATION_BOUND_S
