"""clean_name: what is dropped from stored names and what is kept."""

import pytest
from pydantic import ValidationError

from services.common.forms.functions import FunctionForm
from services.common.forms.workspace_models import ModelForm
from services.common.stored_names import clean_name


@pytest.mark.parametrize(
    ("name", "cleaned"),
    [
        ("a\r\nSet-Cookie: x=y", "aSet-Cookie: x=y"),
        ("\x00\x01\t\x1f\x7f\x80\x85\x9fok", "ok"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069\u200e\u200fx", "x"),
        # Kept: spaces, accents, scripts written right to left, joiners, emoji.
        ("résumé été.md", "résumé été.md"),
        ("ملف.txt", "ملف.txt"),
        ("a\u200db 🙂\u00a0c", "a\u200db 🙂\u00a0c"),
    ],
)
def test_clean_name(name: str, cleaned: str) -> None:
    assert clean_name(name) == cleaned


def test_function_and_workspace_model_names_are_stored_clean() -> None:
    function = FunctionForm.model_validate(
        {"id": "f", "name": "Tool\r\nX-Evil: 1\u202e", "content": "", "meta": {}}
    )
    assert function.name == "ToolX-Evil: 1"
    model = ModelForm.model_validate({"id": "m", "name": "My\x1b[31m model", "meta": {}, "params": {}})
    assert model.name == "My[31m model"
    with pytest.raises(ValidationError):
        FunctionForm.model_validate({"id": "f", "name": "a\x00b", "content": "", "meta": {}})
