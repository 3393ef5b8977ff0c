"""The gateway's OpenAPI 3.1 document, merged from every ``paths_*`` module."""

from types import ModuleType

from services.gateway.openapi import (
    paths_admin_config,
    paths_analytics,
    paths_api_keys,
    paths_auths,
    paths_chat,
    paths_chat_sharing,
    paths_chats,
    paths_chats_more,
    paths_files,
    paths_files_more,
    paths_folders,
    paths_functions,
    paths_groups,
    paths_ingest_jobs,
    paths_knowledge,
    paths_knowledge_search,
    paths_knowledge_sync,
    paths_models,
    paths_ollama,
    paths_openai,
    paths_prompts,
    paths_retrieval,
    paths_retrieval_processing,
    paths_system,
    paths_tasks,
    paths_tool_history,
    paths_tools,
    paths_usage_limits,
    paths_usage_records,
    paths_users,
    paths_workspace_models,
)
from services.gateway.openapi.common import ERROR, SECURITY_SCHEMES
from services.gateway.settings import API_VERSION

MODULES: tuple[ModuleType, ...] = (
    paths_system,
    paths_auths,
    paths_api_keys,
    paths_admin_config,
    paths_analytics,
    paths_users,
    paths_groups,
    paths_models,
    paths_workspace_models,
    paths_chat,
    paths_chats,
    paths_chats_more,
    paths_chat_sharing,
    paths_folders,
    paths_ollama,
    paths_openai,
    paths_files,
    paths_files_more,
    paths_knowledge,
    paths_knowledge_search,
    paths_knowledge_sync,
    paths_retrieval,
    paths_retrieval_processing,
    paths_ingest_jobs,
    paths_functions,
    paths_tools,
    paths_tool_history,
    paths_prompts,
    paths_tasks,
    paths_usage_limits,
    paths_usage_records,
)


def build_document(title: str = "Open WebUI") -> dict:
    """A fresh document (the caller caches it); refuses a path or schema two modules define."""
    paths: dict[str, dict] = {}
    schemas: dict[str, dict] = {"Error": ERROR}
    for module in MODULES:
        for path, item in module.PATHS.items():
            overlap = set(item) & set(paths.get(path, {}))
            if overlap:
                raise ValueError(f"{module.__name__}: {sorted(overlap)} {path} is already documented")
            paths.setdefault(path, {}).update(item)
        for name, schema in module.SCHEMAS.items():
            # Equal, not identical: two modules deriving the same form's schema each build a fresh one.
            if name in schemas and schemas[name] != schema:
                raise ValueError(f"{module.__name__}: schema {name} is already defined")
            schemas[name] = schema
    return {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": API_VERSION,
            "description": "Open WebUI-compatible HTTP API of the gateway.",
        },
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": SECURITY_SCHEMES},
    }
