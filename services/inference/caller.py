"""Who is asking, as the gateway authenticated them."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Caller:
    user_id: str = ""
    email: str = ""
    name: str = ""
    role: str = "user"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"
