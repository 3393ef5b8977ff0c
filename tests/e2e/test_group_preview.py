"""``GET /api/v1/groups/id/{id}/preview`` lists the models, tools and knowledge bases a member of
only that group may read (a read grant to the group or to every user), each from the service that
holds it."""

import uuid

import requests

from tests.e2e.conftest import Account, Running
from tests.e2e.test_groups_api import call, create
from tests.e2e.test_tools_api import source, tool_form


def grant(principal_type: str, principal_id: str, permission: str = "read") -> dict:
    return {"principal_type": principal_type, "principal_id": principal_id, "permission": permission}


def post(running: Running, path: str, body: dict) -> dict:
    reply = requests.post(f"{running.url}{path}", json=body, headers=running.admin.headers, timeout=30)
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_preview_lists_what_the_group_reaches(running: Running, user: Account) -> None:
    suffix = uuid.uuid4().hex[:8]
    group = create(running, f"Reach {suffix}")
    other = create(running, f"Elsewhere {suffix}")
    to_group = [grant("group", group["id"])]
    made_models, made_tools = [], []
    try:
        # Read for the group, write only for the group, for another group, for everyone.
        for name, grants in (
            ("reach", to_group),
            ("writeonly", [grant("group", group["id"], "write")]),
            ("other", [grant("group", other["id"])]),
            ("public", [grant("user", "*")]),
        ):
            model_id = f"{name}-{suffix}"
            post(
                running,
                "/api/v1/models/create",
                {
                    "id": model_id,
                    "base_model_id": "llama3.2:latest",
                    "name": f"Model {name}",
                    "meta": {},
                    "params": {},
                    "access_grants": grants,
                },
            )
            made_models.append(model_id)
        tool_id = f"reach_tool_{suffix}"
        post(
            running,
            "/api/v1/tools/create",
            tool_form(tool_id, source("weather_tool"), name="Reach tool", access_grants=to_group),
        )
        made_tools.append(tool_id)
        hidden_tool = f"hidden_tool_{suffix}"
        post(running, "/api/v1/tools/create", tool_form(hidden_tool, source("weather_tool"), name="Hidden"))
        made_tools.append(hidden_tool)
        knowledge = post(
            running,
            "/api/v1/knowledge/create",
            {"name": f"Reach kb {suffix}", "description": "d", "access_grants": to_group},
        )
        post(running, "/api/v1/knowledge/create", {"name": f"Hidden kb {suffix}", "description": "d"})

        reply = call(running, "GET", f"/api/v1/groups/id/{group['id']}/preview", running.admin)
        assert reply.status_code == 200, reply.text
        preview = reply.json()
        models = {item["id"]: item["name"] for item in preview["models"]["items"]}
        assert models.get(f"reach-{suffix}") == "Model reach"
        assert models.get(f"public-{suffix}") == "Model public"
        assert f"writeonly-{suffix}" not in models and f"other-{suffix}" not in models
        assert preview["models"]["total"] == len(preview["models"]["items"])
        tools = {item["id"] for item in preview["tools"]["items"]}
        assert tool_id in tools and hidden_tool not in tools
        assert {"id": knowledge["id"], "name": f"Reach kb {suffix}"} in preview["knowledge"]["items"]
        assert all(item["name"] != f"Hidden kb {suffix}" for item in preview["knowledge"]["items"])

        missing = call(running, "GET", "/api/v1/groups/id/no-such-group/preview", running.admin)
        assert missing.status_code == 404
        refused = call(running, "GET", f"/api/v1/groups/id/{group['id']}/preview", user)
        assert refused.status_code in (401, 403)
    finally:
        for model_id in made_models:
            requests.post(
                f"{running.url}/api/v1/models/model/delete",
                json={"id": model_id},
                headers=running.admin.headers,
                timeout=30,
            )
        for tid in made_tools:
            requests.delete(
                f"{running.url}/api/v1/tools/id/{tid}/delete", headers=running.admin.headers, timeout=30
            )
