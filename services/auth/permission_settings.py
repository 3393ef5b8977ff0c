"""The environment's say over the built-in permission defaults and group sharing (Open WebUI's
``USER_PERMISSIONS_*`` names), read by the auth service, which computes every user's permissions."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.common import permissions

# Setting name -> (section, key) of the permission tree it sets in the built-in defaults.
_OVERRIDES = {
    "user_permissions_workspace_models_access": ("workspace", "models"),
    "user_permissions_workspace_knowledge_access": ("workspace", "knowledge"),
    "user_permissions_workspace_prompts_access": ("workspace", "prompts"),
    "user_permissions_workspace_tools_access": ("workspace", "tools"),
    "user_permissions_workspace_skills_access": ("workspace", "skills"),
    "user_permissions_workspace_models_allow_sharing": ("sharing", "models"),
    "user_permissions_workspace_models_allow_public_sharing": ("sharing", "public_models"),
    "user_permissions_workspace_knowledge_allow_sharing": ("sharing", "knowledge"),
    "user_permissions_workspace_knowledge_allow_public_sharing": ("sharing", "public_knowledge"),
    "user_permissions_workspace_prompts_allow_sharing": ("sharing", "prompts"),
    "user_permissions_workspace_prompts_allow_public_sharing": ("sharing", "public_prompts"),
    "user_permissions_workspace_tools_allow_sharing": ("sharing", "tools"),
    "user_permissions_workspace_tools_allow_public_sharing": ("sharing", "public_tools"),
}


def _flag(name: str) -> bool:
    return Field(default=False, alias=name.upper())


class PermissionEnv(BaseSettings):
    """Mixed into AuthSettings: each flag, when set, turns its key on in the built-in defaults."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", frozen=True)

    user_permissions_workspace_models_access: bool = _flag("user_permissions_workspace_models_access")
    user_permissions_workspace_knowledge_access: bool = _flag("user_permissions_workspace_knowledge_access")
    user_permissions_workspace_prompts_access: bool = _flag("user_permissions_workspace_prompts_access")
    user_permissions_workspace_tools_access: bool = _flag("user_permissions_workspace_tools_access")
    user_permissions_workspace_skills_access: bool = _flag("user_permissions_workspace_skills_access")
    user_permissions_workspace_models_allow_sharing: bool = _flag(
        "user_permissions_workspace_models_allow_sharing"
    )
    user_permissions_workspace_models_allow_public_sharing: bool = _flag(
        "user_permissions_workspace_models_allow_public_sharing"
    )
    user_permissions_workspace_knowledge_allow_sharing: bool = _flag(
        "user_permissions_workspace_knowledge_allow_sharing"
    )
    user_permissions_workspace_knowledge_allow_public_sharing: bool = _flag(
        "user_permissions_workspace_knowledge_allow_public_sharing"
    )
    user_permissions_workspace_prompts_allow_sharing: bool = _flag(
        "user_permissions_workspace_prompts_allow_sharing"
    )
    user_permissions_workspace_prompts_allow_public_sharing: bool = _flag(
        "user_permissions_workspace_prompts_allow_public_sharing"
    )
    user_permissions_workspace_tools_allow_sharing: bool = _flag(
        "user_permissions_workspace_tools_allow_sharing"
    )
    user_permissions_workspace_tools_allow_public_sharing: bool = _flag(
        "user_permissions_workspace_tools_allow_public_sharing"
    )
    # Who may share resources to a new group: "members" (Open WebUI's default), "true" or "false".
    default_group_share_permission: str = Field(default="members", alias="DEFAULT_GROUP_SHARE_PERMISSION")

    def permission_defaults(self, enable_api_keys: bool) -> dict[str, dict[str, bool]]:
        """The built-in defaults of this deployment: Open WebUI's, with the flags above turned on,
        and ``features.api_keys`` following ENABLE_API_KEYS (so that users keep their keys)."""
        tree = permissions.builtin_defaults()
        for name, (section, key) in _OVERRIDES.items():
            if getattr(self, name):
                tree[section][key] = True
        tree["features"]["api_keys"] = enable_api_keys
        return tree
