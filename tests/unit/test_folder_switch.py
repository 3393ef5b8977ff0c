"""``ENABLE_FOLDERS=false``: every folder route answers 403 before any credential or backend is
looked at; the folder forms refuse unknown keys as Open WebUI's do."""

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import ValidationError

from services.common import messages
from services.gateway.app import create_app
from services.gateway.forms.folders import FolderForm, FolderUpdateForm
from services.gateway.settings import GatewaySettings


async def test_folders_off_answer_403() -> None:
    app = create_app(GatewaySettings(ENABLE_FOLDERS="false"))
    async with TestClient(TestServer(app)) as client:
        for method, path in (
            ("GET", "/api/v1/folders/"),
            ("POST", "/api/v1/folders/"),
            ("GET", "/api/v1/folders/x"),
            ("POST", "/api/v1/folders/x/update/parent"),
            ("DELETE", "/api/v1/folders/x"),
        ):
            reply = await client.request(method, path, json={"name": "a"})
            assert reply.status == 403, path
            assert await reply.json() == {"detail": messages.ACCESS_PROHIBITED}


def test_folders_are_on_by_default() -> None:
    assert GatewaySettings().enable_folders is True


def test_folder_forms_refuse_unknown_keys() -> None:
    assert FolderForm.model_validate({"name": "a", "parent_id": None}).name == "a"
    for form, data in ((FolderForm, {"name": "a", "x": 1}), (FolderUpdateForm, {"items": []})):
        with pytest.raises(ValidationError):
            form.model_validate(data)
