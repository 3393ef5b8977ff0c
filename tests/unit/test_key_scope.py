"""The gateway's route-area table (every route classified) and what each key kind lets through;
the inference service's model allow-list helpers; the ingest read rules for scoped keys."""

import pytest

from services.common import key_routes, key_rpcs
from services.common.errors import PermissionDenied
from services.common.identity import Identity, KeyScope
from services.gateway.app import create_app
from services.gateway.key_scope import ACCOUNT, CHAT, INGEST, OTHER, PUBLIC, refusal, route_area
from services.gateway.settings import GatewaySettings
from services.inference import key_models
from services.ingest.access import can_read_file, can_read_knowledge, can_write_knowledge
from services.ingest.models import FileRecord, KnowledgeRecord


def _routes() -> list[tuple[str, str]]:
    app = create_app(GatewaySettings(ENV="dev"))
    return sorted({(r.method, r.resource.canonical) for r in app.router.routes() if r.method != "HEAD"})


def test_every_route_of_the_app_has_an_area() -> None:
    missing = [(m, p) for m, p in _routes() if route_area(m, p) is None]
    assert not missing, f"routes missing from services/gateway/key_scope.py: {missing}"


def _key(kind: str, **lists: frozenset[str]) -> Identity:
    return Identity(user_id="u", scope=KeyScope(key_id="k", name="ci", kind=kind, **lists))


@pytest.mark.parametrize(
    ("method", "path", "area", "reads"),
    [
        ("GET", "/api/models", CHAT, True),
        ("POST", "/api/chat/completions", CHAT, False),
        ("POST", "/api/v1/retrieval/query/collection", CHAT, True),
        ("POST", "/ollama/api/chat/{url_idx}", CHAT, False),
        ("POST", "/ollama/api/pull", OTHER, False),
        ("*", "/openai/{path}", CHAT, False),
        ("GET", "/api/v1/knowledge/{knowledge_id}", INGEST, True),
        ("POST", "/api/v1/files/", INGEST, False),
        ("GET", "/api/v1/auths/api_keys", ACCOUNT, True),
        ("GET", "/api/v1/chats/", OTHER, True),
        ("GET", "/api/v1/models", OTHER, True),
        ("GET", "/health", PUBLIC, True),
    ],
)
def test_areas(method: str, path: str, area: str, reads: bool) -> None:
    found = route_area(method, path)
    assert found is not None and (found.area, found.reads_only) == (area, reads)


def test_what_each_kind_lets_through() -> None:
    chat, ingest, read, full = _key("chat"), _key("ingest"), _key("read"), _key("full")
    completion = ("POST", "/api/chat/completions")
    upload = ("POST", "/api/v1/files/")
    chats = ("GET", "/api/v1/chats/")
    for identity, allowed, refused in (
        (chat, [completion, ("GET", "/api/models")], [upload, chats]),
        (ingest, [upload, ("GET", "/api/v1/knowledge/")], [completion, chats]),
        (
            read,
            [chats, ("GET", "/api/models"), ("POST", "/api/v1/retrieval/query/doc")],
            [completion, upload],
        ),
        (full, [completion, upload, chats], []),
    ):
        for method, path in allowed:
            assert refusal(identity, route_area(method, path), method, path) is None, (identity, path)
        for method, path in refused:
            reason = refusal(identity, route_area(method, path), method, path)
            assert reason is not None and f"scope '{identity.scope.kind}'" in reason and "'ci'" in reason


def test_an_unknown_route_is_refused_to_scoped_keys_only() -> None:
    assert refusal(_key("chat"), None, "GET", "/api/v1/new") is not None
    assert refusal(_key("full"), None, "GET", "/api/v1/new") is None
    assert refusal(Identity(user_id="u"), None, "GET", "/api/v1/new") is None


def test_model_allow_list() -> None:
    key = _key("chat", model_ids=frozenset({"m1"}))
    key_models.require_model(key, "m1")
    with pytest.raises(PermissionDenied) as caught:
        key_models.require_model(key, "m2")
    assert "m2" in caught.value.detail
    with pytest.raises(PermissionDenied):
        key_models.require_body_models(key, b'{"model": "m2"}')
    key_models.require_body_models(key, b"not json")
    key_models.require_model(_key("chat"), "anything")
    listed = key_models.allowed_listing(
        key, {"models": [{"name": "m1"}, {"name": "m2"}], "data": [{"id": "m2"}]}
    )
    assert listed == {"models": [{"name": "m1"}], "data": []}
    assert key_models.is_listing("ollama", "/api/tags/0") and key_models.is_listing("openai", "/models")
    assert not key_models.is_listing("ollama", "/api/chat")


def _knowledge(knowledge_id: str, owner: str = "u") -> KnowledgeRecord:
    return KnowledgeRecord(knowledge_id, owner, "n", "", None, [], 0, 0)


def _file(file_id: str, owner: str = "u") -> FileRecord:
    fields = FileRecord.__dataclass_fields__
    values = {name: None for name in fields}
    values.update(id=file_id, user_id=owner)
    return FileRecord(**values)


def test_knowledge_and_file_lists() -> None:
    k1, k2 = _knowledge("k1"), _knowledge("k2")
    key = _key("ingest", knowledge_ids=frozenset({"k1"}))
    assert can_read_knowledge(key, k1) and not can_read_knowledge(key, k2)
    assert can_write_knowledge(key, k1) and not can_write_knowledge(key, k2)
    # A listed collection's files are readable; the owner's other files are not.
    assert can_read_file(key, _file("f1"), [k1])
    assert not can_read_file(key, _file("f2"), [k2])
    assert not can_read_file(key, _file("f3"), [])
    files_only = _key("ingest", file_ids=frozenset({"f3"}))
    assert can_read_file(files_only, _file("f3"), [])
    assert not can_read_knowledge(files_only, k1)
    # Without lists, the user's own access decides.
    assert can_read_knowledge(_key("ingest"), k2) and can_read_file(_key("ingest"), _file("f9"), [])


def _all_rpcs() -> list[str]:
    import importlib
    from pathlib import Path

    gen = Path(__file__).resolve().parents[2] / "gen"
    methods = []
    for path in sorted(gen.glob("webui/*/v1/*_pb2.py")):
        module = importlib.import_module(".".join(path.relative_to(gen).with_suffix("").parts))
        for service in module.DESCRIPTOR.services_by_name.values():
            methods += [f"/{service.full_name}/{m.name}" for m in service.methods]
    return methods


def test_every_rpc_has_an_area() -> None:
    rpcs = _all_rpcs()
    assert len(rpcs) > 100
    missing = [m for m in rpcs if key_rpcs.rpc_area(m) is None]
    assert not missing, f"RPCs missing from services/common/key_rpcs.py: {missing}"


@pytest.mark.parametrize(
    ("kind", "method", "allowed"),
    [
        ("chat", "/webui.inference.v1.InferenceService/ChatCompletion", True),
        ("chat", "/webui.ingest.v1.IngestService/Search", True),
        ("chat", "/webui.ingest.v1.IngestService/UploadFile", False),
        ("chat", "/webui.inference.v1.ChatsService/ListChats", False),
        ("chat", "/webui.auth.v1.AuthService/GetUser", True),
        ("chat", "/webui.auth.v1.AuthService/ListUsers", False),
        ("ingest", "/webui.ingest.v1.IngestService/CreateKnowledge", True),
        ("ingest", "/webui.inference.v1.InferenceService/ListModels", False),
        ("read", "/webui.inference.v1.ChatsService/ListChats", True),
        ("read", "/webui.inference.v1.ChatsService/CreateChat", False),
        ("read", "/webui.inference.v1.InferenceService/ChatCompletion", False),
        ("read", "/webui.inference.v1.InferenceService/Proxy", True),  # checked by the servicer
        ("full", "/webui.auth.v1.GroupsService/CreateGroup", True),
    ],
)
def test_rpc_kinds(kind: str, method: str, allowed: bool) -> None:
    refused = key_rpcs.rpc_refusal(method, _key(kind))
    assert (refused is None) == allowed
    if refused is not None:
        assert f"scope '{kind}'" in refused.detail


def test_proxy_calls_follow_the_route_table() -> None:
    assert key_routes.proxy_route("ollama", "/api/chat/0") == "/ollama/api/chat/{url_idx}"
    assert key_routes.proxy_route("ollama", "/") == "/ollama/"
    assert key_routes.proxy_route("openai", "/embeddings") == "/openai/{path}"
    assert key_rpcs.proxy_refusal(_key("read"), "ollama", "GET", "/api/tags") is None
    assert key_rpcs.proxy_refusal(_key("read"), "ollama", "POST", "/api/chat") is not None
    assert key_rpcs.proxy_refusal(_key("chat"), "ollama", "POST", "/api/pull") is not None
    assert key_rpcs.proxy_refusal(_key("ingest"), "openai", "GET", "/models") is not None
