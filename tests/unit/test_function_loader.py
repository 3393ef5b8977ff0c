"""Loading Open WebUI function source: frontmatter, class detection, load errors and valves."""

import logging
import sys
import textwrap

import pytest

from services.inference.functions.loader import (
    FunctionLoadError,
    load_function,
    make_valves,
    parse_frontmatter,
    validate_valves,
    valves_class,
    valves_spec,
)

PIPE = textwrap.dedent(
    '''\
    """
    title: Echo Pipe
    author: someone
    Author_URL: https://example.com/a:b
    version: 0.1
    requirements: pkg1, pkg2
    not a key line
    """

    from pydantic import BaseModel


    class Pipe:
        class Valves(BaseModel):
            PREFIX: str = ">"

        def __init__(self):
            self.valves = self.Valves()

        def pipe(self, body: dict) -> str:
            return self.valves.PREFIX + body["messages"][-1]["content"]
    '''
)

FILTER = textwrap.dedent(
    '''\
    """
    title: Toggle filter
    """
    from __future__ import annotations

    from typing import Literal, Optional

    from pydantic import BaseModel, Field


    class Filter:
        class Valves(BaseModel):
            priority: int = Field(default=0, description="Lower runs first")
            mode: Literal["a", "b"] = "a"
            limit: Optional[int] = None

        class UserValves(BaseModel):
            shout: bool = False

        def __init__(self):
            self.toggle = True
            self.file_handler = True
            self.valves = self.Valves()

        def inlet(self, body: dict, __user__: Optional[dict] = None) -> dict:
            return body
    '''
)

ACTION = textwrap.dedent(
    """\
    class Action:
        async def action(self, body, __event_emitter__=None):
            return None
    """
)


def test_frontmatter_keeps_keys_as_written_and_strips_values() -> None:
    assert parse_frontmatter(PIPE) == {
        "title": "Echo Pipe",
        "author": "someone",
        "Author_URL": "https://example.com/a:b",
        "version": "0.1",
        "requirements": "pkg1, pkg2",
    }


def test_frontmatter_needs_a_leading_docstring_line() -> None:
    assert parse_frontmatter("") == {}
    assert parse_frontmatter('"""title: X\n"""') == {}
    assert parse_frontmatter('import os\n"""\ntitle: X\n"""') == {}
    # Reading stops at the closing quotes.
    assert parse_frontmatter('"""\ntitle: X\n"""\nauthor: Y\n') == {"title": "X"}
    assert parse_frontmatter('  """  \n  title:  X  \n"""') == {"title": "X"}
    # As in Open WebUI, a key is letters and underscores right before the colon.
    assert parse_frontmatter('"""\ntitle : X\nversion-2: 1\n"""') == {}


def test_pipe_loads_with_manifest_and_instance() -> None:
    loaded = load_function("echo", PIPE)
    assert loaded.id == "echo"
    assert loaded.type == "pipe"
    assert loaded.module.__name__ == "function_echo"
    assert loaded.manifest["requirements"] == "pkg1, pkg2"
    assert loaded.instance.pipe({"messages": [{"content": "hi"}]}) == ">hi"
    assert (loaded.has_user_valves, loaded.toggle, loaded.file_handler) == (False, False, False)
    # The module is not left behind in sys.modules.
    assert "function_echo" not in sys.modules


def test_each_load_gets_a_fresh_module_and_instance() -> None:
    first = load_function("echo", PIPE)
    second = load_function("echo", PIPE)
    assert first.module is not second.module
    assert first.instance is not second.instance


def test_filter_with_toggle_file_handler_and_postponed_annotations() -> None:
    loaded = load_function("f1", FILTER)
    assert loaded.type == "filter"
    assert loaded.toggle is True
    assert loaded.file_handler is True
    assert loaded.has_user_valves is True
    assert "function_f1" not in sys.modules
    # Valves built with ``from __future__ import annotations`` still work after the load.
    schema = valves_spec(loaded, "admin")
    assert schema is not None
    assert set(schema["properties"]) == {"priority", "mode", "limit"}
    assert schema["properties"]["priority"]["description"] == "Lower runs first"
    assert valves_spec(loaded, "user")["properties"]["shout"]["default"] is False


def test_toggle_counts_only_for_filters() -> None:
    source = "class Pipe:\n    toggle = True\n    file_handler = True\n"
    loaded = load_function("p", source)
    assert (loaded.toggle, loaded.file_handler) == (False, False)


def test_action_loads_and_pipe_wins_over_filter() -> None:
    assert load_function("act", ACTION).type == "action"
    both = "class Filter:\n    pass\n\nclass Pipe:\n    pass\n"
    assert load_function("both", both).type == "pipe"
    assert load_function("ev", "class Event:\n    pass\n").type == "event"


def test_module_without_a_function_class() -> None:
    with pytest.raises(FunctionLoadError, match=r"^No Function class found in the module$"):
        load_function("none", "x = 1\n")


def test_syntax_error_reports_type_message_and_line(caplog: pytest.LogCaptureFixture) -> None:
    source = '"""\ntitle: broken\n"""\nclass Pipe:\n    def pipe(self, body)\n        return 1\n'
    with caplog.at_level(logging.WARNING), pytest.raises(FunctionLoadError) as info:
        load_function("broken", source)
    assert str(info.value).startswith("SyntaxError: ")
    assert str(info.value).endswith("(line 5)")
    # Logged once at warning, no traceback.
    records = [r for r in caplog.records if "broken" in r.getMessage()]
    assert [r.levelno for r in records] == [logging.WARNING]
    assert records[0].exc_info is None


def test_indentation_error_is_named() -> None:
    with pytest.raises(FunctionLoadError, match=r"^IndentationError: .*\(line 2\)$"):
        load_function("ind", "class Pipe:\npass\n")


def test_missing_requirement_is_a_load_error() -> None:
    source = (
        '"""\nrequirements: surely_not_installed_pkg\n"""\n'
        "import surely_not_installed_pkg\nclass Pipe:\n    pass\n"
    )
    with pytest.raises(FunctionLoadError) as info:
        load_function("req", source)
    assert str(info.value) == "ModuleNotFoundError: No module named 'surely_not_installed_pkg' (line 4)"
    assert "function_req" not in sys.modules


def test_error_in_module_code_and_constructor() -> None:
    with pytest.raises(FunctionLoadError, match=r"^ZeroDivisionError: division by zero \(line 2\)$"):
        load_function("div", "class Pipe:\n    x = 1 / 0\n")
    source = "class Pipe:\n    def __init__(self):\n        raise ValueError('no key')\n"
    with pytest.raises(FunctionLoadError, match=r"^Pipe\(\): ValueError: no key \(line 3\)$"):
        load_function("ctor", source)
    with pytest.raises(FunctionLoadError, match=r"^SystemExit"):
        load_function("exit", "import sys\nsys.exit(3)\n")


def test_a_previous_module_of_the_same_name_is_restored() -> None:
    sentinel = object()
    sys.modules["function_kept"] = sentinel  # type: ignore[assignment]
    try:
        load_function("kept", PIPE)
        assert sys.modules["function_kept"] is sentinel
    finally:
        del sys.modules["function_kept"]


def test_valves_class_by_scope() -> None:
    loaded = load_function("f1", FILTER)
    assert valves_class(loaded, "admin") is loaded.instance.Valves
    assert valves_class(loaded, "user") is loaded.instance.UserValves
    plain = load_function("act", ACTION)
    assert valves_class(plain, "admin") is None
    assert valves_spec(plain, "user") is None
    assert make_valves(plain, {"x": 1}, "admin") is None
    with pytest.raises(ValueError):
        valves_class(loaded, "other")


def test_make_valves_from_stored_values() -> None:
    loaded = load_function("f1", FILTER)
    valves = make_valves(loaded, None, "admin")
    assert (valves.priority, valves.mode, valves.limit) == (0, "a", None)
    valves = make_valves(loaded, {"priority": 3, "mode": None, "gone": 1}, "admin")
    assert (valves.priority, valves.mode) == (3, "a")
    assert make_valves(loaded, {"shout": True}, "user").shout is True


def test_make_valves_falls_back_to_defaults_for_invalid_stored_values(
    caplog: pytest.LogCaptureFixture,
) -> None:
    loaded = load_function("f1", FILTER)
    with caplog.at_level(logging.WARNING):
        valves = make_valves(loaded, {"priority": 5, "mode": "zzz"}, "admin")
    # The valid stored value is kept, the invalid one falls back to its default.
    assert (valves.priority, valves.mode) == (5, "a")
    assert "mode" in caplog.text


def test_make_valves_with_a_required_field_does_not_raise() -> None:
    source = (
        "from pydantic import BaseModel\n"
        "class Pipe:\n"
        "    class Valves(BaseModel):\n"
        "        KEY: str\n"
        "        N: int = 1\n"
    )
    loaded = load_function("req", source)
    assert make_valves(loaded, {"KEY": "k"}, "admin").KEY == "k"
    valves = make_valves(loaded, {"N": 2}, "admin")
    assert valves.N == 2


def test_validate_valves_drops_none_and_returns_only_what_was_set() -> None:
    loaded = load_function("f1", FILTER)
    assert validate_valves(loaded, {"priority": "4", "mode": None, "extra": 1}, "admin") == {"priority": 4}
    assert validate_valves(loaded, {}, "admin") == {}
    assert validate_valves(loaded, {"shout": True}, "user") == {"shout": True}


def test_validate_valves_rejects_invalid_values_with_pydantics_message() -> None:
    loaded = load_function("f1", FILTER)
    with pytest.raises(ValueError, match="priority") as info:
        validate_valves(loaded, {"priority": "high"}, "admin")
    assert "1 validation error for Valves" in str(info.value)
    with pytest.raises(ValueError, match="has no"):
        validate_valves(load_function("act", ACTION), {}, "admin")
