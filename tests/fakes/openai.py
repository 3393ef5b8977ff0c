"""A fake OpenAI-compatible server: /v1/models, /v1/chat/completions, /v1/completions, /v1/embeddings."""

from collections.abc import Iterable
from typing import Any

from aiohttp import web

from tests.fakes.base import FakeServer, Handler, openai_error, serve_main

DEFAULT_MODELS = ("gpt-4o-mini", "gpt-4.1")


class FakeOpenAI(FakeServer):
    """Answers like OpenAI's API under ``/v1``; with ``api_key`` set, every request must bear it."""

    def __init__(
        self, *, models: Iterable[str] = DEFAULT_MODELS, api_key: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(models=models, **kwargs)
        self.api_key = api_key

    @property
    def base_url(self) -> str:
        """What an OpenAI client takes as its base URL."""
        return f"{self.url}/v1"

    def _middlewares(self) -> list[Any]:
        return [self._auth_middleware]

    def _add_routes(self, router: web.UrlDispatcher) -> None:
        self._add_v1_routes(router)

    @web.middleware
    async def _auth_middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if self.api_key is not None and request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return openai_error(401, "Incorrect API key provided", code="invalid_api_key")
        return await handler(request)


if __name__ == "__main__":
    serve_main(FakeOpenAI, "Fake OpenAI-compatible server for tests and benchmarks.")
