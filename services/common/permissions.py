"""Open WebUI's permission tree (§6.4): the built-in defaults, and the dotted keys every service
reads from ``Identity.permissions``.

A tree is six sections of booleans. The effective tree of a user is the stored defaults (filled
from the built-in ones) OR-combined with the tree of every group the user is in, inherited groups
included: the most permissive value wins. Services never see trees: AuthService flattens the
effective tree into the keys that are true, and ``services.common.access`` reads those.
"""

import copy

SECTIONS = ("workspace", "sharing", "access_grants", "chat", "features", "settings")

# Open WebUI 0.12.4's built-in defaults, as observed.
BUILTIN_DEFAULTS: dict[str, dict[str, bool]] = {
    "workspace": {
        "models": False,
        "knowledge": False,
        "prompts": False,
        "tools": False,
        "skills": False,
        "models_import": False,
        "models_export": False,
        "models_hidden": False,
        "prompts_import": False,
        "prompts_export": False,
        "tools_import": False,
        "tools_export": False,
        "skills_import": False,
        "skills_export": False,
    },
    "sharing": {
        "models": False,
        "public_models": False,
        "knowledge": False,
        "public_knowledge": False,
        "prompts": False,
        "public_prompts": False,
        "tools": False,
        "public_tools": False,
        "skills": False,
        "public_skills": False,
        "notes": False,
        "public_notes": False,
        "folders": False,
        "public_chats": False,
        "open_chats": False,
        "public_calendars": False,
    },
    "access_grants": {"allow_users": True, "allow_groups": True},
    "chat": {
        "controls": True,
        "valves": True,
        "system_prompt": True,
        "params": True,
        "file_upload": True,
        "web_upload": True,
        "delete": True,
        "delete_message": True,
        "continue_response": True,
        "regenerate_response": True,
        "rate_response": True,
        "edit": True,
        "share": True,
        "export": True,
        "import": True,
        "stt": True,
        "tts": True,
        "call": True,
        "multiple_models": True,
        "temporary": True,
        "temporary_enforced": False,
    },
    "features": {
        "api_keys": False,
        "notes": True,
        "folders": True,
        "channels": True,
        "encrypted_channels": False,
        "direct_tool_servers": False,
        "web_search": True,
        "image_generation": True,
        "code_interpreter": True,
        "memories": True,
        "automations": False,
        "calendar": True,
        "webhooks": False,
    },
    "settings": {"interface": True},
}

# The keys the servers enforce (admins bypass them all).
WORKSPACE_MODELS = "workspace.models"
WORKSPACE_KNOWLEDGE = "workspace.knowledge"
WORKSPACE_PROMPTS = "workspace.prompts"
WORKSPACE_PROMPTS_IMPORT = "workspace.prompts_import"
WORKSPACE_TOOLS = "workspace.tools"
WORKSPACE_TOOLS_IMPORT = "workspace.tools_import"
ALLOW_USERS = "access_grants.allow_users"
ALLOW_GROUPS = "access_grants.allow_groups"
CHAT_DELETE = "chat.delete"
CHAT_SHARE = "chat.share"
CHAT_IMPORT = "chat.import"
CHAT_TEMPORARY = "chat.temporary"
CHAT_TEMPORARY_ENFORCED = "chat.temporary_enforced"
FEATURES_API_KEYS = "features.api_keys"
FEATURES_FOLDERS = "features.folders"


def builtin_defaults() -> dict[str, dict[str, bool]]:
    """A fresh copy of the built-in tree (callers may change it)."""
    return copy.deepcopy(BUILTIN_DEFAULTS)


def fill(tree: object, base: dict[str, dict[str, bool]] | None = None) -> dict[str, dict[str, bool]]:
    """``tree`` over ``base`` (the built-in defaults): every known section and key, booleans only.
    Unknown sections are dropped; unknown keys in a known section are kept (Open WebUI keeps them)."""
    filled = copy.deepcopy(base if base is not None else BUILTIN_DEFAULTS)
    if not isinstance(tree, dict):
        return filled
    for section, values in tree.items():
        if section not in filled or not isinstance(values, dict):
            continue
        for key, value in values.items():
            if isinstance(key, str) and isinstance(value, bool):
                filled[section][key] = value
    return filled


def combine(trees: list[object]) -> dict[str, dict[str, bool]]:
    """The OR of partial trees (a group's ``permissions``): a key is true when any tree says so."""
    combined: dict[str, dict[str, bool]] = {}
    for tree in trees:
        if not isinstance(tree, dict):
            continue
        for section, values in tree.items():
            if not isinstance(section, str) or not isinstance(values, dict):
                continue
            target = combined.setdefault(section, {})
            for key, value in values.items():
                if isinstance(key, str) and isinstance(value, bool):
                    target[key] = target.get(key, False) or value
    return combined


def effective(defaults: dict[str, dict[str, bool]], group_trees: list[object]) -> dict[str, dict[str, bool]]:
    """Open WebUI's effective tree: the defaults, with any key a group grants turned on."""
    tree = copy.deepcopy(defaults)
    for section, values in combine(group_trees).items():
        target = tree.setdefault(section, {})
        for key, value in values.items():
            target[key] = target.get(key, False) or value
    return tree


def true_keys(tree: dict[str, dict[str, bool]]) -> frozenset[str]:
    """The dotted keys that are true: what ``Identity.permissions`` carries."""
    return frozenset(
        f"{section}.{key}"
        for section, values in tree.items()
        if isinstance(values, dict)
        for key, value in values.items()
        if value is True
    )


def tree_of(keys: frozenset[str] | set[str], shape: dict[str, dict[str, bool]] | None = None) -> dict:
    """The tree whose true keys are ``keys``, in the shape of ``shape`` (the built-in defaults)."""
    tree = {
        section: {key: f"{section}.{key}" in keys for key in values}
        for section, values in (shape or BUILTIN_DEFAULTS).items()
    }
    for dotted in keys:
        section, _, key = dotted.partition(".")
        if key:
            tree.setdefault(section, {})[key] = True
    return tree
