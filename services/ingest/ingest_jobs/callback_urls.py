"""Which callback URLs are allowed: http(s) to a host on the admin's allow-list, nothing else."""

from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_URL_CHARS = 2048


class CallbackUrlRefused(ValueError):
    """The reason a callback URL is refused (shown to the caller as a 400)."""


@dataclass(frozen=True, slots=True)
class CallbackPolicy:
    # Exact host names or `*.suffix` patterns, lower case.
    allowed_hosts: tuple[str, ...]
    # Callbacks cannot be signed without one: refused.
    has_secret: bool

    @classmethod
    def parse(cls, allowed_hosts: str, secret: str) -> "CallbackPolicy":
        hosts = tuple(h.strip().lower().rstrip(".") for h in allowed_hosts.split(",") if h.strip())
        return cls(hosts, bool(secret))

    def check(self, url: str) -> str:
        """``url`` when it may be called back; otherwise raises :class:`CallbackUrlRefused`."""
        if not self.has_secret or not self.allowed_hosts:
            raise CallbackUrlRefused("Callbacks are not enabled on this server.")
        if len(url) > MAX_URL_CHARS or any(c.isspace() or ord(c) < 32 for c in url):
            raise CallbackUrlRefused("The callback URL is malformed.")
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").rstrip(".")
            _ = parts.port
        except ValueError:
            raise CallbackUrlRefused("The callback URL is malformed.") from None
        if parts.scheme not in ("http", "https") or not host:
            raise CallbackUrlRefused("The callback URL must be an http or https URL with a host.")
        if parts.username is not None or parts.password is not None:
            raise CallbackUrlRefused("The callback URL must not carry credentials.")
        if not self.allows_host(host):
            raise CallbackUrlRefused(f"The callback host {host} is not on the allow-list.")
        return url

    def allows_host(self, host: str) -> bool:
        host = host.lower()
        for allowed in self.allowed_hosts:
            if allowed.startswith("*."):
                if host.endswith(allowed[1:]) and len(host) > len(allowed) - 1:
                    return True
            elif host == allowed:
                return True
        return False
