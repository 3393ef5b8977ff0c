"""The task configuration: its environment defaults, the admin's stored update (one PostgreSQL row
every replica reads), and a cache of at most ``ttl_s``."""

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace

from services.common.forms.tasks import TASK_CONFIG_KEYS, TaskConfigForm
from services.common.fresh_value import FreshValue
from services.inference.config_rows import ConfigRows
from services.inference.settings import InferenceSettings


@dataclass(frozen=True)
class TaskConfig:
    """Open WebUI's task config; each field is its key in lower case. An empty template means the
    built-in default."""

    task_model: str = ""
    task_model_external: str = ""
    task_model_params: dict = field(default_factory=dict)
    title_generation_prompt_template: str = ""
    image_prompt_generation_prompt_template: str = ""
    enable_autocomplete_generation: bool = False
    autocomplete_generation_input_max_length: int = -1
    autocomplete_generation_prompt_template: str = ""
    tags_generation_prompt_template: str = ""
    follow_up_generation_prompt_template: str = ""
    enable_follow_up_generation: bool = True
    enable_tags_generation: bool = True
    enable_title_generation: bool = True
    enable_search_query_generation: bool = True
    enable_retrieval_query_generation: bool = True
    query_generation_prompt_template: str = ""
    tools_function_calling_prompt_template: str = ""
    enable_voice_mode_prompt: bool = True
    voice_mode_prompt_template: str = ""

    def to_json(self) -> dict:
        """Open WebUI's object: its keys, in its order."""
        return {key: getattr(self, key.lower()) for key in TASK_CONFIG_KEYS}


_FIELDS = {f.name: f for f in fields(TaskConfig)}


def defaults_from(settings: InferenceSettings) -> TaskConfig:
    """The configuration the environment gives (what applies until an admin stores one)."""
    return TaskConfig(**{name: getattr(settings, name) for name in _FIELDS})


def merged(stored: Mapping[str, object], defaults: TaskConfig) -> TaskConfig:
    """A stored object over the defaults: a key it lacks (added since it was stored) or holds with
    the wrong type keeps its default."""
    values = {}
    for key in TASK_CONFIG_KEYS:
        name = key.lower()
        value = stored.get(key)
        default = getattr(defaults, name)
        if isinstance(value, type(default)) and not (
            isinstance(value, bool) and not isinstance(default, bool)
        ):
            values[name] = value
    return replace(defaults, **values)


def from_form(form: TaskConfigForm, defaults: TaskConfig) -> TaskConfig:
    """An update: nulls become "" (the model and voice template), {} (params) or the environment's
    AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH, as Open WebUI stores them."""
    values = form.model_dump()
    config = {}
    for key in TASK_CONFIG_KEYS:
        value = values[key]
        if value is None:
            value = (
                defaults.autocomplete_generation_input_max_length if key.startswith("AUTOCOMPLETE") else None
            )
        if value is None:
            value = {} if key == "TASK_MODEL_PARAMS" else ""
        config[key.lower()] = value
    return TaskConfig(**config)


class TaskConfigStore:
    """The configuration in force: read from PostgreSQL at most every ``ttl_s`` per replica, so an
    update made on another replica applies here within that bound."""

    def __init__(
        self,
        rows: ConfigRows,
        defaults: TaskConfig,
        ttl_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rows = rows
        self.defaults = defaults
        self._config = FreshValue(self._load, ttl_s, clock)

    async def _load(self) -> TaskConfig:
        stored = await self._rows.load()
        return merged(stored, self.defaults) if stored is not None else self.defaults

    async def get(self) -> TaskConfig:
        return await self._config.get()

    async def update(self, form: TaskConfigForm) -> TaskConfig:
        config = from_form(form, self.defaults)
        await self._rows.save(config.to_json())
        self._config.put(config)
        return config

    async def query_generation(self) -> tuple[bool, str]:
        """Whether chats with files ask the model for search queries, and with which template."""
        config = await self.get()
        return config.enable_retrieval_query_generation, config.query_generation_prompt_template
