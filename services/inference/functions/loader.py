"""Turning a stored function's source into a live module, its class instance and its valves."""

import logging
import re
import sys
import types
from dataclasses import dataclass

from pydantic import BaseModel, ValidationError

log = logging.getLogger(__name__)

# The module attributes that make a function, in the order Open WebUI checks them.
FUNCTION_CLASSES = (("Pipe", "pipe"), ("Filter", "filter"), ("Action", "action"), ("Event", "event"))
# A tool's module defines ``class Tools`` (one loader serves functions and tools).
TOOL_CLASSES = (("Tools", "tools"),)
VALVES_ATTRIBUTES = {"admin": "Valves", "user": "UserValves"}

# Open WebUI's frontmatter line: a key of letters and underscores, a colon, the rest is the value.
_FRONTMATTER_LINE = re.compile(r"^\s*([a-z_]+):\s*(.*)\s*$", re.IGNORECASE)


class FunctionLoadError(Exception):
    """The function's code did not load; ``str()`` is a short readable reason."""


@dataclass(frozen=True)
class LoadedFunction:
    id: str
    # "pipe" | "filter" | "action" | "event" (first of Pipe, Filter, Action, Event).
    type: str
    # The class instantiated once.
    instance: object
    module: types.ModuleType
    # Frontmatter ``key: value`` lines.
    manifest: dict[str, str]
    # The class has a ``UserValves`` model.
    has_user_valves: bool
    # A filter with a truthy ``toggle`` attribute (user-switchable).
    toggle: bool
    # A filter with a truthy ``file_handler`` attribute (handles the request's files itself).
    file_handler: bool


def parse_frontmatter(content: str) -> dict[str, str]:
    """The ``key: value`` lines of a leading ``\"\"\"`` docstring, as Open WebUI reads them.

    The first line must be exactly the opening quotes; keys keep their case; lines without a
    ``key:`` are skipped; reading stops at the closing quotes.
    """
    lines = content.splitlines()
    if not lines or lines[0].strip() != '"""':
        return {}
    manifest: dict[str, str] = {}
    for line in lines[1:]:
        if '"""' in line:
            break
        match = _FRONTMATTER_LINE.match(line)
        if match:
            key, value = match.groups()
            manifest[key.strip()] = value.strip()
    return manifest


def load_function(
    function_id: str, content: str, classes: tuple[tuple[str, str], ...] = FUNCTION_CLASSES
) -> LoadedFunction:
    """Execute ``content`` as module ``function_<id>`` (``tool_<id>`` for TOOL_CLASSES) and
    instantiate the first of ``classes`` it defines.

    Frontmatter ``requirements`` are only reported, never installed. Raises FunctionLoadError.
    """
    prefix = "tool" if classes is TOOL_CLASSES else "function"
    filename = f"<{prefix} {function_id}>"
    module = types.ModuleType(f"{prefix}_{function_id}")
    module.__file__ = filename
    try:
        code = compile(content, filename, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        raise _load_error(function_id, _reason(exc, filename)) from None
    # pydantic resolves postponed annotations (``from __future__ import annotations``) through
    # ``sys.modules[cls.__module__]``, so the module is registered while its classes are built,
    # and removed again afterwards: nothing else should import it, and reloads must not pile up.
    previous = sys.modules.get(module.__name__)
    sys.modules[module.__name__] = module
    try:
        try:
            exec(code, module.__dict__)
        except (Exception, SystemExit) as exc:
            raise _load_error(function_id, _reason(exc, filename)) from None
        found = next(((attr, kind) for attr, kind in classes if hasattr(module, attr)), None)
        if found is None:
            missing = "Function" if classes is FUNCTION_CLASSES else classes[0][0]
            raise _load_error(function_id, f"No {missing} class found in the module")
        attr, kind = found
        try:
            instance = getattr(module, attr)()
        except (Exception, SystemExit) as exc:
            raise _load_error(function_id, f"{attr}(): {_reason(exc, filename)}") from None
        for scope in VALVES_ATTRIBUTES:
            _complete_valves(function_id, _valves_class_of(instance, scope))
    finally:
        if sys.modules.get(module.__name__) is module:
            if previous is None:
                del sys.modules[module.__name__]
            else:
                sys.modules[module.__name__] = previous
    is_filter = kind == "filter"
    return LoadedFunction(
        id=function_id,
        type=kind,
        instance=instance,
        module=module,
        manifest=parse_frontmatter(content),
        has_user_valves=_valves_class_of(instance, "user") is not None,
        toggle=is_filter and bool(_safe_getattr(instance, "toggle")),
        file_handler=is_filter and bool(_safe_getattr(instance, "file_handler")),
    )


def valves_class(loaded: LoadedFunction, scope: str) -> type[BaseModel] | None:
    """The ``Valves`` (scope "admin") or ``UserValves`` (scope "user") model, or None."""
    return _valves_class_of(loaded.instance, scope)


def valves_spec(loaded: LoadedFunction, scope: str) -> dict | None:
    """The JSON schema of the scope's valves model, or None when the function has none."""
    cls = valves_class(loaded, scope)
    return cls.model_json_schema() if cls is not None else None


def make_valves(loaded: LoadedFunction, values: dict | None, scope: str) -> BaseModel | None:
    """The scope's valves object built from stored values (None when the function has no model).

    Stored values that no longer validate (the code changed since they were saved) fall back to
    the field defaults, so an edit of the code never breaks the function outright.
    """
    cls = valves_class(loaded, scope)
    if cls is None:
        return None
    clean = _without_none(values)
    try:
        return cls(**clean)
    except ValidationError as exc:
        bad = {str(error["loc"][0]) for error in exc.errors() if error.get("loc")}
    log.warning(
        "Function %s: stored %s valves no longer validate (%s); using defaults for them",
        loaded.id,
        scope,
        ", ".join(sorted(bad)) or "model",
    )
    kept = {key: value for key, value in clean.items() if key not in bad}
    try:
        return cls(**kept)
    except ValidationError:
        # A required field without a default: there is nothing valid to build from.
        log.warning("Function %s: %s valves have required fields without values", loaded.id, scope)
        return cls.model_construct(**kept)


def validate_valves(loaded: LoadedFunction, values: dict, scope: str) -> dict:
    """Validate new valves as Open WebUI does and return what to store.

    ``None`` values are dropped, the rest validated with the model, and only the fields given are
    returned (``model_dump(exclude_unset=True)``). Raises ValueError with pydantic's message.
    """
    cls = valves_class(loaded, scope)
    if cls is None:
        raise ValueError(f"Function {loaded.id} has no {VALVES_ATTRIBUTES[scope]}")
    try:
        valves = cls(**_without_none(values))
    except ValidationError as exc:
        raise ValueError(str(exc)) from None
    return valves.model_dump(exclude_unset=True)


def _valves_class_of(instance: object, scope: str) -> type[BaseModel] | None:
    try:
        attr = VALVES_ATTRIBUTES[scope]
    except KeyError:
        raise ValueError(f"Unknown valves scope {scope!r}") from None
    cls = _safe_getattr(instance, attr)
    if isinstance(cls, type) and issubclass(cls, BaseModel):
        return cls
    return None


def _complete_valves(function_id: str, cls: type[BaseModel] | None) -> None:
    """Finish building a valves model while the module is importable (postponed annotations)."""
    if cls is None or cls.__pydantic_complete__:
        return
    try:
        cls.model_rebuild()
    except Exception as exc:
        raise _load_error(function_id, f"{cls.__name__}: {type(exc).__name__}: {exc}") from None


def _without_none(values: dict | None) -> dict:
    return {key: value for key, value in (values or {}).items() if value is not None}


def _safe_getattr(instance: object, name: str) -> object:
    # A property in user code may raise; a missing or broken attribute counts as absent.
    try:
        return getattr(instance, name, None)
    except Exception:
        return None


def _reason(exc: BaseException, filename: str) -> str:
    """``Type: message (line N)``, N being the line of the function's own code that failed."""
    name = type(exc).__name__
    if isinstance(exc, SyntaxError):
        text = f"{name}: {exc.msg}"
        line = exc.lineno if exc.filename == filename else None
    else:
        message = str(exc)
        text = f"{name}: {message}" if message else name
        line = None
        tb = exc.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == filename:
                line = tb.tb_lineno
            tb = tb.tb_next
    return f"{text} (line {line})" if line else text


def _load_error(function_id: str, reason: str) -> FunctionLoadError:
    log.warning("Function %s failed to load: %s", function_id, reason)
    return FunctionLoadError(reason)
