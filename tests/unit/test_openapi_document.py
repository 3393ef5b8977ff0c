"""The OpenAPI document against the routes the gateway registers, its validity, and `/docs`,
`/openapi.json` and the Swagger assets by ENV."""

import re
from collections.abc import AsyncIterator, Iterator

import pytest
import schemathesis
from aiohttp.test_utils import TestClient, TestServer

from services.gateway.app import create_app
from services.gateway.openapi.document import build_document
from services.gateway.settings import GatewaySettings

# Served for the docs themselves; FastAPI leaves these out of its document too.
DOCS_ROUTES = {("get", "/openapi.json"), ("get", "/docs"), ("get", "/docs/assets/{name}")}
# A `*` route (the /openai pass-through) is documented with these methods.
ANY_METHOD = ("get", "post", "put", "patch", "delete")
_REGEX_PARAM = re.compile(r"\{(\w+):[^}]*\}")


def _settings(env: str = "dev") -> GatewaySettings:
    return GatewaySettings(ENV=env)


def registered_routes(env: str = "dev") -> set[tuple[str, str]]:
    """(method, OpenAPI path) of every route; aiohttp's `{url_idx:\\d+}` becomes `{url_idx}`.
    HEAD routes (aiohttp adds one per GET) are left out, as FastAPI's document leaves them out."""
    app = create_app(_settings(env))
    routes = set()
    for route in app.router.routes():
        if route.method == "HEAD":
            continue
        info = route.resource.get_info()
        path = info.get("path") or info.get("formatter")
        routes.add((route.method.lower(), _REGEX_PARAM.sub(r"{\1}", path)))
    return routes


@pytest.fixture(scope="module")
def document() -> dict:
    return build_document()


def documented(document: dict) -> set[tuple[str, str]]:
    return {(method, path) for path, item in document["paths"].items() for method in item}


def test_every_registered_route_is_documented(document: dict) -> None:
    ops = documented(document)
    missing = []
    for method, path in registered_routes() - DOCS_ROUTES:
        if method == "*":
            if not any((m, path) in ops for m in ANY_METHOD):
                missing.append(("*", path))
        elif (method, path) not in ops:
            missing.append((method, path))
    assert not missing, f"routes missing from /openapi.json: {sorted(missing)}"


def test_every_documented_operation_is_served(document: dict) -> None:
    routes = registered_routes()
    stray = [
        (method, path)
        for method, path in documented(document)
        if (method, path) not in routes and ("*", path) not in routes
    ]
    assert not stray, f"documented but not served: {sorted(stray)}"


def test_regex_routes_become_plain_parameters(document: dict) -> None:
    for path in ("/ollama/api/tags", "/ollama/api/chat", "/ollama/v1/models"):
        assert path in document["paths"]
        assert f"{path}/{{url_idx}}" in document["paths"]
    (param,) = document["paths"]["/ollama/api/tags/{url_idx}"]["get"]["parameters"]
    assert param["schema"]["type"] == "integer"
    assert "/openai/{path}" in document["paths"]
    assert not any(":" in path for path in document["paths"])


def test_document_is_valid_openapi_3_1(document: dict) -> None:
    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"] == "Open WebUI"
    assert "Error" in document["components"]["schemas"]
    assert "bearerAuth" in document["components"]["securitySchemes"]
    # Validates against the OpenAPI 3.1 meta-schema; raises on the first violation.
    schemathesis.openapi.from_dict(document).validate()


def _refs(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_every_ref_resolves(document: dict) -> None:
    schemas = document["components"]["schemas"]
    prefix = "#/components/schemas/"
    for ref in _refs(document):
        assert ref.startswith(prefix), ref
        assert ref[len(prefix) :] in schemas, f"unresolved {ref}"


def test_operations_are_tagged_and_answer_200(document: dict) -> None:
    for path, item in document["paths"].items():
        for method, op in item.items():
            assert op.get("tags"), (method, path)
            assert "200" in op["responses"], (method, path)


def test_docs_routes_are_registered_only_in_dev() -> None:
    assert registered_routes("dev") >= DOCS_ROUTES
    assert not DOCS_ROUTES & registered_routes("prod")
    assert GatewaySettings().env == "dev"


@pytest.fixture
async def client(request: pytest.FixtureRequest) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(create_app(_settings(request.param)))) as test_client:
        yield test_client


@pytest.mark.parametrize("client", ["dev"], indirect=True)
async def test_dev_serves_the_document_page_and_assets(client: TestClient) -> None:
    reply = await client.get("/openapi.json")
    assert reply.status == 200
    assert reply.content_type == "application/json"
    body = await reply.json()
    assert body["openapi"] == "3.1.0"
    assert body == build_document()

    page = await client.get("/docs")
    assert page.status == 200
    assert page.content_type == "text/html"
    html = await page.text()
    assert "/docs/assets/swagger-ui-bundle.js" in html
    assert "/openapi.json" in html
    assert "https://" not in html  # nothing from a CDN

    for name, content_type in (
        ("swagger-ui-bundle.js", "text/javascript"),
        ("swagger-ui.css", "text/css"),
        ("favicon-32x32.png", "image/png"),
    ):
        asset = await client.get(f"/docs/assets/{name}")
        assert asset.status == 200, name
        assert asset.content_type in (content_type, "application/javascript"), name
        assert "max-age" in asset.headers["Cache-Control"]
        assert len(await asset.read()) > 0


@pytest.mark.parametrize("client", ["dev"], indirect=True)
async def test_assets_refuse_unknown_names_and_traversal(client: TestClient) -> None:
    for name in ("index.j2", "nope.js", "..%2F..%2F..%2Fetc%2Fpasswd", "..%2F__init__.py", "%2e%2e"):
        reply = await client.get(f"/docs/assets/{name}")
        assert reply.status == 404, name
        assert (await reply.json()) == {"detail": "Not Found"}
    reply = await client.get("/docs/assets/../../services/gateway/app.py")
    assert reply.status == 404


@pytest.mark.parametrize("client", ["prod"], indirect=True)
async def test_prod_answers_404_like_any_unknown_route(client: TestClient) -> None:
    unknown = await client.get("/no-such-route")
    for path in ("/openapi.json", "/docs", "/docs/assets/swagger-ui-bundle.js"):
        reply = await client.get(path)
        assert reply.status == 404, path
        assert (await reply.json()) == (await unknown.json()), path
