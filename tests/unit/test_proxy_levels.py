"""The /ollama and /openai levels: one shared table, enforced by InferenceService and the gateway alike."""

import pytest

from services.common import proxy_routes
from services.common.errors import NotFound, PermissionDenied
from services.common.identity import ROLE_ADMIN, ROLE_USER, Identity
from services.common.proxy_routes import Access, ProxyRoute
from services.gateway.auth_guard import Level
from services.gateway.routes import ollama, openai
from services.gateway.routes import proxy as gateway_proxy
from services.inference.ollama_proxy import OllamaProxy
from services.inference.openai_proxy import OpenAIProxy
from services.inference.proxy_common import ProxyCall, route_table

USER = Identity(user_id="u1", role=ROLE_USER)
ADMIN = Identity(user_id="a1", role=ROLE_ADMIN)
# The constructors only keep their collaborators; a refusal must come before any of them is used.
UNUSED = object()


def _ollama() -> OllamaProxy:
    return OllamaProxy(UNUSED, UNUSED, True, UNUSED, UNUSED)


def _openai() -> OpenAIProxy:
    return OpenAIProxy(UNUSED, UNUSED, UNUSED, True, True, UNUSED, UNUSED)


def _cases(table: tuple[ProxyRoute, ...]) -> list[tuple[str, str, Access]]:
    """(method, path, level) of every method of every route, plain, with a trailing slash, and with
    ``/{url_idx}`` where it has that form."""
    cases = []
    for route in table:
        for method in route.methods:
            cases += [(method, route.path, route.plain), (method, route.path + "/", route.plain)]
            if route.with_idx is not None:
                cases += [
                    (method, route.path + "/3", route.with_idx),
                    (method, route.path + "/0/", route.with_idx),
                ]
    return cases


PROXIES = [("ollama", _ollama, proxy_routes.OLLAMA), ("openai", _openai, proxy_routes.OPENAI)]
CASES = [
    pytest.param(make, method, path, level, id=f"{name} {method} {path}")
    for name, make, table in PROXIES
    for method, path, level in _cases(table)
]
ADMIN_CASES = [case for case in CASES if case.values[3] is Access.ADMIN]


def _admin_paths(table: tuple[ProxyRoute, ...], idx: bool) -> set[str]:
    return {r.path for r in table if (r.with_idx if idx else r.plain) is Access.ADMIN}


def test_the_admin_routes_are_open_webuis() -> None:
    changing = {"/api/pull", "/api/push", "/api/create", "/api/copy", "/api/delete"}
    plain = changing | {"/api/unload", "/api/ps", "/config", "/config/update", "/verify"}
    assert plain | {"/models/download", "/models/upload"} == _admin_paths(proxy_routes.OLLAMA, False)
    # Listing one upstream's models or version is an admin's business; the merged lists are not.
    assert _admin_paths(proxy_routes.OLLAMA, True) == changing | {
        "/api/tags",
        "/api/version",
        "/v1/models",
        "/models/download",
        "/models/upload",
    }
    assert _admin_paths(proxy_routes.OPENAI, False) == {"/config", "/config/update", "/verify"}
    assert _admin_paths(proxy_routes.OPENAI, True) == set()


@pytest.mark.parametrize(("make", "method", "path", "level"), ADMIN_CASES)
async def test_a_non_admin_is_refused_before_anything_runs(make, method, path, level) -> None:
    call = ProxyCall(USER, method, path, "", b'{"model": "m", "source": "m", "destination": "n"}')
    with pytest.raises(PermissionDenied):
        async for _ in make().handle(call):
            pass


@pytest.mark.parametrize(("make", "method", "path", "level"), CASES)
def test_an_admin_passes_and_a_user_where_the_level_admits(make, method, path, level) -> None:
    table = make()._table
    found = table.find(method, path, ADMIN)
    if level is Access.VERIFIED:
        assert table.find(method, path, USER) == found
    else:
        with pytest.raises(PermissionDenied):
            table.find(method, path, USER)


def test_an_unlisted_openai_path_is_the_pass_through_at_any_level() -> None:
    with pytest.raises(NotFound):
        _openai()._table.find("POST", "/verify/extra", USER)


async def _handler(call, idx):
    yield b""


def test_routes_and_handlers_must_match() -> None:
    route = ProxyRoute(("GET",), "/a", Access.VERIFIED, None)
    assert route_table([route], {"/a": _handler}).find("GET", "/a", USER)[0] is _handler
    with pytest.raises(ValueError, match="/b"):
        route_table([route], {"/a": _handler, "/b": _handler})
    with pytest.raises(ValueError, match="/a"):
        route_table([route], {})


@pytest.mark.parametrize(
    ("backend", "table"), [("ollama", proxy_routes.OLLAMA), ("openai", proxy_routes.OPENAI)]
)
def test_the_gateway_checks_the_same_levels(monkeypatch, backend, table) -> None:
    # Each gateway handler is made for one level; record it to compare with the shared table.
    monkeypatch.setattr(gateway_proxy, "proxy_handler", lambda backend, prefix, level: level)
    prefix = f"/{backend}"
    served = {(d.method, d.path): d.handler for d in gateway_proxy.passthrough_routes(backend, prefix, table)}
    expected = {}
    for route in table:
        for method in route.methods:
            expected[(method, prefix + route.path)] = gateway_proxy.LEVELS[route.plain]
            if route.with_idx is not None:
                idx_path = prefix + route.path + r"/{url_idx:\d+}"
                expected[(method, idx_path)] = gateway_proxy.LEVELS[route.with_idx]
    assert served == expected
    assert gateway_proxy.LEVELS == {Access.VERIFIED: Level.VERIFIED, Access.ADMIN: Level.ADMIN}


def test_the_gateway_registers_the_shared_tables() -> None:
    for module, table in ((ollama, proxy_routes.OLLAMA), (openai, proxy_routes.OPENAI)):
        paths = {(d.method, d.path) for d in module.routes}
        for route in table:
            for method in route.methods:
                assert (method, module.PREFIX + route.path) in paths
    assert openai.routes[-1].path == "/openai/{path:.+}", "the catch-all must come last"
