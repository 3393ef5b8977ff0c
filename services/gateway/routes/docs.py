"""``GET /openapi.json``, ``GET /docs`` (Swagger UI) and its assets, served from the
swagger-ui-bundle package (no CDN). Registered only when ``ENV=dev``."""

from pathlib import Path

import orjson
import swagger_ui_bundle
from aiohttp import web

from services.gateway.openapi.document import build_document

OPENAPI_JSON = web.AppKey("openapi_json", bytes)
ASSETS_PREFIX = "/docs/assets"

# What the page loads (and the favicons and source maps browsers ask for); nothing else is served.
_ASSET_SUFFIXES = (".js", ".css", ".png", ".map")
_ASSETS = web.AppKey("swagger_assets", dict)
_DOCS_PAGE = web.AppKey("docs_page", str)
# The bundle's files change only with the package version, which is in no URL: a day, revalidated.
_ASSET_CACHE = "public, max-age=86400"

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} - Swagger UI</title>
<link rel="stylesheet" type="text/css" href="{assets}/swagger-ui.css">
<link rel="icon" type="image/png" href="{assets}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({{
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset]
}});
</script>
</body>
</html>
"""


def _asset_files() -> dict[str, Path]:
    """Name -> file for every servable file of the bundle (a fixed list: no path from the client
    ever reaches the filesystem)."""
    root = Path(swagger_ui_bundle.swagger_ui_path)
    return {p.name: p for p in root.iterdir() if p.is_file() and p.name.endswith(_ASSET_SUFFIXES)}


async def openapi_json(request: web.Request) -> web.Response:
    return web.Response(body=request.app[OPENAPI_JSON], content_type="application/json")


async def docs_page(request: web.Request) -> web.Response:
    return web.Response(
        text=request.app[_DOCS_PAGE], content_type="text/html", headers={"Cache-Control": "no-cache"}
    )


async def asset(request: web.Request) -> web.FileResponse:
    path = request.app[_ASSETS].get(request.match_info["name"])
    if path is None:
        raise web.HTTPNotFound()
    return web.FileResponse(path, headers={"Cache-Control": _ASSET_CACHE})


def setup_docs(app: web.Application) -> None:
    """Builds the document once for this app and adds the three routes."""
    document = build_document()
    app[OPENAPI_JSON] = orjson.dumps(document)
    app[_DOCS_PAGE] = _PAGE.format(title=document["info"]["title"], assets=ASSETS_PREFIX)
    app[_ASSETS] = _asset_files()
    app.add_routes(
        [
            web.get("/openapi.json", openapi_json),
            web.get("/docs", docs_page),
            web.get(ASSETS_PREFIX + "/{name}", asset),
        ]
    )
