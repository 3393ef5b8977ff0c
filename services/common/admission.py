"""A bound on work in flight: a request past it is refused at once rather than queued."""


class Admission:
    """Counts requests in flight against ``limit`` (0: no limit) and the ones it turned away.

    Used from one event loop only, so plain integers need no lock: nothing awaits between the
    check and the increment.
    """

    def __init__(self, limit: int) -> None:
        if limit < 0:
            raise ValueError(f"limit must be 0 (none) or more, got {limit}")
        self.limit = limit
        self.inflight = 0
        self.refused = 0

    def try_enter(self) -> bool:
        """Takes a place if one is free; every True must be paired with one ``leave()``."""
        if self.limit and self.inflight >= self.limit:
            self.refused += 1
            return False
        self.inflight += 1
        return True

    def leave(self) -> None:
        self.inflight -= 1
