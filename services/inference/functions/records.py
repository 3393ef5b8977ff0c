"""What a stored function is, and what the chat pipeline gets of the active ones."""

from dataclasses import dataclass, field

from pydantic import BaseModel

from services.inference.functions.loader import LoadedFunction


@dataclass(frozen=True)
class FunctionRecord:
    """One row of ``inference_function``, Open WebUI's FunctionModel."""

    id: str
    user_id: str
    name: str
    # "pipe", "filter", "action" or "event".
    type: str
    content: str
    # {"description", "manifest": {frontmatter}, "toggle"?: bool, ...}.
    meta: dict
    # The stored admin valves (None until set).
    valves: dict | None
    is_active: bool
    is_global: bool
    created_at: int
    updated_at: int
    # Why the code failed to load the last time it was loaded (the function is then inactive).
    load_error: str | None = None


@dataclass(frozen=True)
class ActiveFunction:
    """An active function whose code loaded: the record, the live module and its valves object."""

    record: FunctionRecord
    loaded: LoadedFunction
    # ``Valves(**record.valves)``, or None when the module has no ``Valves`` class.
    valves: BaseModel | None

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def priority(self) -> int:
        """Filters and actions run lowest first (``Valves.priority``, 0 when there is none)."""
        value = getattr(self.valves, "priority", 0) if self.valves is not None else 0
        return value if isinstance(value, int) else 0


@dataclass(frozen=True)
class FunctionSnapshot:
    """The active, loaded functions at one moment, by id."""

    functions: dict[str, ActiveFunction] = field(default_factory=dict)

    def of_type(self, kind: str) -> list[ActiveFunction]:
        return [f for f in self.functions.values() if f.loaded.type == kind]
