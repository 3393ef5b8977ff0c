"""Every gateway route with a path parameter, called by an admin with ids no resource has (NUL,
a long one, an encoded traversal): none may answer 5xx (a missing thing is whatever its route
answers for one, 2xx included: deleting an unknown function is `true`, as in Open WebUI)."""

import re

import pytest
import requests

from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings
from tests.e2e.conftest import Running

HOSTILE_IDS = ("%00", "a%00b", "x" * 600, "..%2F..", "%C0%AE", "%0D%0ASet-Cookie:%20a=b", "%E2%80%AE")


def _parameterised_routes() -> list[tuple[str, str]]:
    """(method, path template) of each route whose path has a parameter, as the app declares them."""
    app = create_app(GatewaySettings(ENV="dev"))
    found = set()
    for route in app.router.routes():
        template = route.resource.canonical if route.resource is not None else ""
        if "{" not in template or route.method == "HEAD":
            continue
        for method in ("GET", "POST", "DELETE") if route.method == "*" else (route.method,):
            found.add((method, template))
    return sorted(found)


ROUTES = _parameterised_routes()


def test_the_route_table_has_parameterised_routes() -> None:
    assert ("GET", "/api/v1/functions/id/{function_id}") in ROUTES
    assert len(ROUTES) > 30


@pytest.mark.parametrize(("method", "template"), ROUTES, ids=[f"{m} {t}" for m, t in ROUTES])
def test_hostile_ids_never_answer_5xx(running: Running, method: str, template: str) -> None:
    failures = []
    with requests.Session() as session:
        for hostile in HOSTILE_IDS:
            path = re.sub(r"\{[^}]+\}", hostile, template)
            body = {} if method == "POST" else None
            reply = session.request(
                method, running.url + path, json=body, headers=running.admin.headers, timeout=30
            )
            if reply.status_code >= 500:
                failures.append((hostile[:20], reply.status_code, reply.text[:120]))
    assert failures == [], failures


@pytest.mark.parametrize("suffix", ["", "/valves", "/valves/spec", "/valves/user", "/valves/user/spec"])
def test_a_function_id_with_nul_is_a_missing_function(running: Running, suffix: str) -> None:
    """As any unknown id: the contract's 401 `NOT_FOUND` (PostgreSQL's refusal of NUL was a 500)."""
    for hostile in ("%00", "a%00b"):
        reply = requests.get(
            f"{running.url}/api/v1/functions/id/{hostile}{suffix}", headers=running.admin.headers, timeout=10
        )
        missing = requests.get(
            f"{running.url}/api/v1/functions/id/no-such-function{suffix}",
            headers=running.admin.headers,
            timeout=10,
        )
        assert (reply.status_code, reply.json()) == (missing.status_code, missing.json())


def test_protocol_errors_are_json(running: Running) -> None:
    """Refused by aiohttp's parser, before any middleware: still `{"detail": ...}` with a 4xx."""
    long_url = requests.get(f"{running.url}/api/v1/files/{'a' * 9000}", timeout=10)
    long_header = requests.get(f"{running.url}/api/v1/files/", headers={"X-Big": "a" * 9000}, timeout=10)
    for reply, status in ((long_url, 414), (long_header, 431)):
        assert reply.status_code == status
        assert reply.headers["Content-Type"].startswith("application/json")
        assert set(reply.json()) == {"detail"}
