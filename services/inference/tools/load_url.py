"""``POST /api/v1/tools/load/url``: an admin's tool source fetched from a URL for the create form.

The URL comes from a request, so it is held to what a connection test may reach: its host is
resolved once and every address checked against ``VERIFY_ALLOWED_NETWORKS`` (400 outside), the
request goes to those addresses only, no redirect is followed, and the reply is read within a
deadline and up to a size limit."""

import logging
import re
from dataclasses import dataclass

import aiohttp

from services.common import errors, messages
from services.common.identity import Identity
from services.inference.pinned_resolver import PinnedResolver
from services.inference.verify_target import VerifyTargets

log = logging.getLogger(__name__)

_TREE = re.compile(r"https://github\.com/([^/]+)/([^/]+)/tree/([^/]+)/(.*)")
_BLOB = re.compile(r"https://github\.com/([^/]+)/([^/]+)/blob/([^/]+)/(.*)")


def github_raw_url(url: str) -> str:
    """Open WebUI's rewrite: a GitHub folder (``tree``) URL reads its ``main.py``, a file
    (``blob``) URL the raw file; any other URL is fetched as given."""
    tree = _TREE.match(url)
    if tree:
        org, repo, branch, path = tree.groups()
        return (
            f"https://raw.githubusercontent.com/{org}/{repo}/refs/heads/{branch}/{path.rstrip('/')}/main.py"
        )
    blob = _BLOB.match(url)
    if blob:
        org, repo, branch, path = blob.groups()
        return f"https://raw.githubusercontent.com/{org}/{repo}/refs/heads/{branch}/{path}"
    return url


def tool_name(url: str) -> str:
    """Open WebUI's name for a fetched tool: the file name without ``.py``, or the folder's name
    for ``main.py``, ``index.py``, ``__init__.py`` and files not ending in ``.py``."""
    parts = url.rstrip("/").split("/")
    file_name = parts[-1]
    if file_name.endswith(".py") and not file_name.startswith(("main.py", "index.py", "__init__.py")):
        return file_name[:-3]
    return parts[-2] if len(parts) > 1 else "function"


@dataclass(frozen=True)
class LoadedSource:
    name: str
    content: str


def _failed(detail: str, status: int) -> errors.ServiceError:
    return errors.BadGateway(detail, http_status=status)


class ToolUrlLoader:
    def __init__(
        self,
        targets: VerifyTargets,
        *,
        # The whole fetch, connect to last byte (TOOL_LOAD_URL_TIMEOUT_S).
        timeout_s: float,
        # TOOL_LOAD_URL_MAX_BYTES.
        max_bytes: int,
    ) -> None:
        self._targets = targets
        self._timeout_s = timeout_s
        self._max_bytes = max_bytes

    async def load(self, caller: Identity, url: str) -> LoadedSource:
        if not caller.is_admin:
            raise errors.Unauthenticated(messages.ACCESS_PROHIBITED)
        url = url.strip()
        if not url:
            raise errors.InvalidArgument("Please enter a valid URL")
        url = github_raw_url(url)
        target = await self._targets.check(url)
        connector = aiohttp.TCPConnector(limit=1, force_close=True, resolver=PinnedResolver(target.addresses))
        try:
            async with (
                aiohttp.ClientSession(
                    connector=connector, timeout=aiohttp.ClientTimeout(total=self._timeout_s)
                ) as session,
                session.get(url, allow_redirects=False) as response,
            ):
                if response.status != 200:
                    # Redirects included: following one could leave the checked addresses.
                    raise _failed(messages.TOOL_URL_FETCH_FAILED, response.status)
                if (response.content_length or 0) > self._max_bytes:
                    raise errors.InvalidArgument(_too_large(self._max_bytes))
                raw = await response.content.read(self._max_bytes + 1)
                charset = response.charset or "utf-8"
        except errors.ServiceError:
            raise
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            log.warning("tool load from %s:%d failed: %r", target.host, target.port, error)
            raise _failed(messages.error_with(messages.TOOL_URL_ERROR), 500) from error
        if len(raw) > self._max_bytes:
            raise errors.InvalidArgument(_too_large(self._max_bytes))
        if not raw:
            raise errors.InvalidArgument(messages.TOOL_URL_EMPTY)
        try:
            content = raw.decode(charset, errors="replace")
        except LookupError:  # a charset Python does not know
            content = raw.decode("utf-8", errors="replace")
        return LoadedSource(tool_name(url), content)


def _too_large(limit: int) -> str:
    return f"The tool at this URL is larger than {limit} bytes"
