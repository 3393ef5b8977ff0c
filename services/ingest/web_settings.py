"""Web fetching for ``/retrieval/process/web`` and ``/process/url``, from the environment."""

import ipaddress
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def _split(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class WebFetchSettings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", frozen=True)

    # Open WebUI's names: private, loopback and link-local targets are refused unless this is true.
    enable_local_web_fetch: bool = Field(default=False, alias="ENABLE_LOCAL_WEB_FETCH")
    enable_rag_local_web_fetch: bool = Field(default=False, alias="ENABLE_RAG_LOCAL_WEB_FETCH")
    # Open WebUI's host filter: plain entries form an allow-list (when any is given, only those
    # hosts and their subdomains), `!host` entries are refused. Cloud metadata hosts always are.
    filter_list: Annotated[list[str], NoDecode] = Field(default_factory=list, alias="WEB_FETCH_FILTER_LIST")
    # Non-public addresses (IPs or CIDRs) an administrator allows without opening every local one.
    local_allow_list: Annotated[list[str], NoDecode] = Field(
        default_factory=list, alias="WEB_FETCH_LOCAL_ALLOW_LIST"
    )
    # Redirects followed, each hop checked again (Open WebUI follows none by default).
    max_redirects: int = Field(default=0, alias="WEB_FETCH_MAX_REDIRECTS", ge=0, le=10)
    # Deadline of one fetch, connect to last byte.
    timeout_s: float = Field(default=15.0, alias="WEB_LOADER_TIMEOUT", gt=0, le=300)
    # Bytes one page may have (RAG_FILE_MAX_SIZE bounds downloads of other types).
    max_page_bytes: int = Field(default=5 * 1024 * 1024, alias="WEB_FETCH_MAX_CONTENT_LENGTH", ge=1024)
    user_agent: str = Field(default="open-webui-compatible-fetcher", alias="USER_AGENT", min_length=1)

    _split_filter = field_validator("filter_list", "local_allow_list", mode="before")(_split)

    @field_validator("local_allow_list")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for item in value:
            ipaddress.ip_network(item, strict=False)
        return value

    @property
    def allow_local(self) -> bool:
        return self.enable_local_web_fetch or self.enable_rag_local_web_fetch
