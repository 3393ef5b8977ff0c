"""Access rules, grant cleaning, client metadata and the file `data`/`meta` shapes (no I/O)."""

import pytest

from services.common import errors, messages
from services.common.identity import Identity
from services.ingest.access import can_read_file, can_read_knowledge, can_write_knowledge, shared_grants
from services.ingest.files_core import parse_client_metadata
from services.ingest.models import FileRecord, FileStatus, KnowledgeRecord
from services.ingest.search_core import relevance
from services.ingest.shapes import file_data, file_meta

ADMIN = Identity("a", "admin")
ALICE = Identity("alice", "user")
BOB = Identity("bob", "user")


def knowledge(grants: list[dict]) -> KnowledgeRecord:
    return KnowledgeRecord("k1", "alice", "kb", "", None, grants, 1, 1)


def record(status: FileStatus | None, **kw: object) -> FileRecord:
    values = dict(
        id="f1",
        user_id="alice",
        filename="a.txt",
        content_type="text/plain",
        size=3,
        file_hash="h",
        hash=None,
        status=status,
        error=None,
        content=None,
        client_meta={"language": "en"},
        created_at=1,
        updated_at=2,
    )
    values.update(kw)
    return FileRecord(**values)  # type: ignore[arg-type]


def test_owner_and_admin_read_and_write_others_need_a_grant() -> None:
    private = knowledge([])
    assert can_read_knowledge(ALICE, private) and can_write_knowledge(ALICE, private)
    assert can_read_knowledge(ADMIN, private) and can_write_knowledge(ADMIN, private)
    assert not can_read_knowledge(BOB, private)
    shared = knowledge([{"principal_type": "user", "principal_id": "bob", "permission": "read"}])
    assert can_read_knowledge(BOB, shared) and not can_write_knowledge(BOB, shared)
    public = knowledge([{"principal_type": "user", "principal_id": "*", "permission": "write"}])
    assert can_write_knowledge(BOB, public)


def test_a_file_is_readable_through_a_readable_collection() -> None:
    file = record(FileStatus.COMPLETED)
    assert not can_read_file(BOB, file, [])
    assert not can_read_file(BOB, file, [knowledge([])])
    shared = knowledge([{"principal_type": "user", "principal_id": "bob", "permission": "read"}])
    assert can_read_file(BOB, file, [shared])


def test_grants_are_cleaned_and_follow_the_sharing_permissions() -> None:
    raw = [
        {"principal_type": "user", "principal_id": "bob", "permission": "read"},
        {"principal_type": "user", "principal_id": "bob", "permission": "read"},
        {"principal_type": "user", "principal_id": "*", "permission": "read"},
        {"principal_type": "robot", "principal_id": "x", "permission": "read"},
        {"principal_type": "user", "principal_id": "carol", "permission": "own"},
        "junk",
    ]
    # Without sharing.knowledge a user gives no grant; with it, no public one (sharing.public_knowledge).
    assert shared_grants(raw, ALICE, "k1", [], strict=False) == ([], [])
    sharer = Identity(
        "alice", "user", permissions=frozenset({"sharing.knowledge", "access_grants.allow_users"})
    )
    grants, cleaned = shared_grants(raw, sharer, "k1", [], strict=False)
    assert grants == [("user", "bob", "read")]
    assert [(g["principal_id"], g["permission"]) for g in cleaned] == [("bob", "read")]
    assert cleaned[0]["resource_type"] == "knowledge" and cleaned[0]["resource_id"] == "k1"
    assert len(shared_grants(raw, ADMIN, "k1", [], strict=False)[1]) == 2
    assert shared_grants("not a list", ALICE, "k1", [], strict=False) == ([], [])
    with pytest.raises(errors.PermissionDenied):
        shared_grants(raw, sharer, "k1", [], strict=True)
    # A grant kept from before keeps its id.
    again = shared_grants(raw[:1], sharer, "k1", cleaned, strict=True)[1]
    assert again == cleaned


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", {}),
        ("null", {}),
        ('{"knowledge_id": "k"}', {"knowledge_id": "k"}),
        ('"{\\"a\\": 1}"', {"a": 1}),
        # A backslash-u in the text itself is not a NUL.
        ('{"a": "\\\\u0000"}', {"a": "\\u0000"}),
    ],
)
def test_client_metadata_is_a_json_object(text: str, expected: dict) -> None:
    assert parse_client_metadata(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        "[1, 2]",
        "3",
        # Found by fuzzing: what jsonb cannot hold was a 500 (NUL anywhere, nesting past orjson's limit).
        '{"a": "x\\u0000y"}',
        '{"a\\u0000": 1}',
        '{"a": [{"b": "\\u0000"}]}',
        '{"a":' * 600 + "1" + "}" * 600,
    ],
)
def test_other_metadata_is_open_webuis_400(text: str) -> None:
    with pytest.raises(errors.InvalidArgument) as caught:
        parse_client_metadata(text)
    assert caught.value.detail == messages.INVALID_METADATA


def test_file_data_follows_the_status() -> None:
    assert file_data(record(None), True) == {}
    assert file_data(record(FileStatus.PENDING), True) == {"status": "pending"}
    done = record(FileStatus.COMPLETED, content="text")
    assert file_data(done, True) == {"status": "completed", "content": "text", "error": None}
    assert file_data(done, False) == {"status": "completed", "error": None}
    assert file_data(record(FileStatus.FAILED, error="bad"), True) == {"status": "failed", "error": "bad"}


def test_file_meta_names_the_collection_once_processed() -> None:
    meta = file_meta(record(FileStatus.PENDING))
    assert meta == {
        "name": "a.txt",
        "content_type": "text/plain",
        "size": 3,
        "file_hash": "h",
        "data": {"language": "en"},
    }
    assert file_meta(record(FileStatus.COMPLETED))["collection_name"] == "file-f1"


def test_relevance_is_chromas_score() -> None:
    assert relevance(1.0) == 1.0 and relevance(0.0) == 0.5 and relevance(-1.0) == 0.0
