"""What the chat and folder repository tests share: two users and a clock that ticks per call."""

from services.common import permissions
from services.common.identity import Identity

# Open WebUI's built-in permission defaults, as AuthService gives every user.
DEFAULT_KEYS = permissions.true_keys(permissions.BUILTIN_DEFAULTS)
ALICE = Identity("alice", role="user", name="Alice", permissions=DEFAULT_KEYS)
BOB = Identity("bob", role="user", name="Bob", permissions=DEFAULT_KEYS)


class Clock:
    """One second later at every reading, so that every write has its own `updated_at`."""

    def __init__(self) -> None:
        self.now = 1_000

    def __call__(self) -> float:
        self.now += 1
        return self.now
