"""``GET /openapi.json``, ``GET /docs`` (Swagger UI) and its assets, served from the
swagger-ui-bundle package (no CDN). Registered only when ``ENV=dev``.

The document is built on the first request that needs it, not at start: importing the path
modules that describe it is a tenth of the gateway's import time, spent on every start for a page
few starts are asked for.
"""

import asyncio
from dataclasses import dataclass
from pathlib import Path

import orjson
import swagger_ui_bundle
from aiohttp import web

ASSETS_PREFIX = "/docs/assets"

# What the page loads (and the favicons and source maps browsers ask for); nothing else is served.
_ASSET_SUFFIXES = (".js", ".css", ".png", ".map")


@dataclass(frozen=True)
class _Docs:
    openapi_json: bytes
    page: str
    assets: dict[str, Path]


@dataclass
class _DocsHolder:
    built: _Docs | None = None


_DOCS = web.AppKey("docs", _DocsHolder)
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


def _build() -> _Docs:
    from services.gateway.openapi.document import build_document

    document = build_document()
    return _Docs(
        openapi_json=orjson.dumps(document),
        page=_PAGE.format(title=document["info"]["title"], assets=ASSETS_PREFIX),
        assets=_asset_files(),
    )


async def _docs(app: web.Application) -> _Docs:
    """Built once per app, off the event loop (two first requests at once may both build it: the
    same result either way)."""
    holder = app[_DOCS]
    if holder.built is None:
        holder.built = await asyncio.to_thread(_build)
    return holder.built


async def openapi_json(request: web.Request) -> web.Response:
    return web.Response(body=(await _docs(request.app)).openapi_json, content_type="application/json")


async def docs_page(request: web.Request) -> web.Response:
    return web.Response(
        text=(await _docs(request.app)).page, content_type="text/html", headers={"Cache-Control": "no-cache"}
    )


async def asset(request: web.Request) -> web.FileResponse:
    path = (await _docs(request.app)).assets.get(request.match_info["name"])
    if path is None:
        raise web.HTTPNotFound()
    return web.FileResponse(path, headers={"Cache-Control": _ASSET_CACHE})


def setup_docs(app: web.Application) -> None:
    """Adds the three routes; the document is built for this app on first use."""
    app[_DOCS] = _DocsHolder()
    app.add_routes(
        [
            web.get("/openapi.json", openapi_json),
            web.get("/docs", docs_page),
            web.get(ASSETS_PREFIX + "/{name}", asset),
        ]
    )
