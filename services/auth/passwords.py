"""Password hashing with bcrypt (the library does the work; we only pick the cost)."""

import bcrypt

MAX_PASSWORD_BYTES = 72


def password_too_long(password: str) -> bool:
    """bcrypt reads at most 72 bytes; Open WebUI refuses longer passwords rather than cut them."""
    return len(password.encode("utf-8")) > MAX_PASSWORD_BYTES


class PasswordHasher:
    """Hashes and checks passwords; both are CPU-bound, so callers run them off the event loop."""

    def __init__(self, rounds: int) -> None:
        self._rounds = rounds
        # Checked against when the e-mail is unknown, so both paths take the same time.
        self._dummy = self.hash("not a real password")

    def hash(self, password: str) -> str:
        return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(self._rounds)).decode("ascii")

    def verify(self, password: str, hashed: str | None) -> bool:
        if password_too_long(password):
            return False
        candidate = (hashed or self._dummy).encode("ascii")
        return bcrypt.checkpw(password.encode("utf-8"), candidate) and hashed is not None
