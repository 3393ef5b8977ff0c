"""The auth service's own credential check: the core resolves callers, no round trip to itself."""

from services.auth.core import AuthCore
from services.auth.models import Authenticated, CredentialKind
from services.common.identity import Identity


def identity_of(result: Authenticated, credential: str = "") -> Identity:
    """What a verified credential proves, in the shape every service uses."""
    return Identity(
        user_id=result.user.id,
        role=result.user.role.value,
        name=result.user.name,
        email=result.user.email,
        via_api_key=result.kind is CredentialKind.API_KEY,
        credential=credential,
        scope=result.scope,
        group_ids=result.group_ids,
        permissions=result.permissions,
    )


class LocalAuthenticator:
    """Resolves a call's credential with the core, as Authenticate would answer it."""

    def __init__(self, core: AuthCore) -> None:
        self._core = core

    async def identify(self, credential: str) -> Identity:
        return identity_of(await self._core.authenticate(credential), credential)
