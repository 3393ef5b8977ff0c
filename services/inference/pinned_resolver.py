"""An aiohttp resolver that answers only with addresses checked beforehand (see ``verify_target``)."""

import socket
from collections.abc import Sequence

from aiohttp.abc import AbstractResolver, ResolveResult


class PinnedResolver(AbstractResolver):
    """Every name resolves to ``addresses`` and nothing else.

    A connection test resolves its host once, checks every address, then connects: asking DNS
    again at connect time could get another answer (DNS rebinding) and reach an address never
    checked. Meant for a one-request session that follows no redirect, so the only name it is
    asked for is the checked one; answering the same for any name keeps even a mismatch (an IDN
    spelled differently) on the checked addresses.
    """

    def __init__(self, addresses: Sequence[str]) -> None:
        self._addresses = tuple(addresses)

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results: list[ResolveResult] = []
        for address in self._addresses:
            found = socket.AF_INET6 if ":" in address else socket.AF_INET
            if family in (socket.AF_UNSPEC, found):
                results.append(
                    ResolveResult(
                        hostname=host,
                        host=address,
                        port=port,
                        family=found,
                        proto=0,
                        flags=socket.AI_NUMERICHOST,
                    )
                )
        if not results:
            raise OSError(f"no checked address of family {family!r} for {host}")
        return results

    async def close(self) -> None:
        """Nothing to release."""
