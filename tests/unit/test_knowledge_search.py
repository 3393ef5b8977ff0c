"""Knowledge search core (fakes of its repositories and feed), export names and the streamed zip."""

import asyncio
import contextlib
import io
import zipfile
from collections.abc import AsyncIterator

import pytest
from nats.errors import ConnectionClosedError

from services.common import errors, messages
from services.common.identity import Identity, KeyScope
from services.gateway.routes.knowledge_search import _Sink, export_filename
from services.ingest.knowledge_search_core import (
    EXTERNAL_READ_ONLY,
    KnowledgeSearchCore,
    PendingLimits,
    _reader,
    export_entry_name,
)
from services.ingest.knowledge_search_repository import KnowledgeQuery, like_pattern
from services.ingest.models import CollectionChange, FileRecord, FileStatus, KnowledgeRecord
from services.ingest.pending_feed import PendingFeed

ADMIN = Identity("root", "admin")
ALICE = Identity("alice", "user", group_ids=frozenset({"g2", "g1"}))
BOB = Identity("bob", "user")


def knowledge(kid: str, owner: str = "alice", grants: list[dict] | None = None, meta=None) -> KnowledgeRecord:
    return KnowledgeRecord(kid, owner, kid, "", meta, grants or [], 1, 1)


def pending_file(fid: str, status: FileStatus = FileStatus.PENDING, updated: int = 1) -> FileRecord:
    return FileRecord(
        fid, "alice", f"{fid}.txt", "text/plain", 1, None, None, status, None, None, {}, 1, updated
    )


class FakeRepo:
    def __init__(self) -> None:
        self.search_result: tuple[list[KnowledgeRecord], int] = ([], 0)
        self.pending: list[list[FileRecord]] = []
        self.texts: dict[str, tuple[str, str]] = {}
        self.linked: list[str] = []
        self.ids: list[tuple[str, int]] = []
        self.readers = []

    async def search_knowledge(self, reader, query):
        self.readers.append(reader)
        return self.search_result

    async def pending_files(self, knowledge_id: str, limit: int) -> list[FileRecord]:
        return self.pending.pop(0) if len(self.pending) > 1 else self.pending[0]

    async def linked_file_ids(self, knowledge_id: str) -> list[str]:
        return self.linked

    async def file_text(self, file_id: str):
        return self.texts.get(file_id)

    async def knowledge_ids_after(self, after: str, limit: int):
        return [item for item in self.ids if item[0] > after][:limit]

    async def bump_collections(self, names):
        return [(name, 7) for name in names]

    async def count_knowledge(self) -> int:
        return len(self.ids)


class FakeFiles:
    def __init__(self, records: dict[str, KnowledgeRecord]) -> None:
        self.records = records

    async def get_knowledge(self, knowledge_id: str) -> KnowledgeRecord | None:
        return self.records.get(knowledge_id)


class FakeIndexes:
    def __init__(self) -> None:
        self.changes: list[CollectionChange] = []

    async def changed(self, changes: list[CollectionChange]) -> None:
        self.changes += changes


class FakeWakeup:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def wait(self, timeout_s: float) -> bool:
        self.waits.append(timeout_s)
        await asyncio.sleep(0)
        return True


class FakeFeed:
    def __init__(self) -> None:
        self.wakeup = FakeWakeup()

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[FakeWakeup]:
        yield self.wakeup


def core(repo: FakeRepo, records: dict[str, KnowledgeRecord] | None = None, **limits) -> KnowledgeSearchCore:
    return KnowledgeSearchCore(
        repo,  # type: ignore[arg-type]
        FakeFiles(records or {}),  # type: ignore[arg-type]
        FakeIndexes(),  # type: ignore[arg-type]
        FakeFeed(),  # type: ignore[arg-type]
        PendingLimits(settle_s=0, **limits),
    )


def query(**changes) -> KnowledgeQuery:
    values = {"text": "", "view": "", "source": "", "order": "", "ascending": False, "limit": 30, "offset": 0}
    values.update(changes)
    return KnowledgeQuery(**values)  # type: ignore[arg-type]


def test_like_pattern_escapes_like_metacharacters() -> None:
    assert like_pattern("a%b_c\\d") == "%a\\%b\\_c\\\\d%"
    assert like_pattern("plain") == "%plain%"


def test_reader_narrows_by_role_groups_and_key_scope() -> None:
    assert _reader(ADMIN).group_ids is None
    assert _reader(ALICE).group_ids == ["g1", "g2"] and _reader(ALICE).knowledge_ids is None
    scoped = Identity("alice", "user", scope=KeyScope("k", knowledge_ids=frozenset({"kb2", "kb1"})))
    assert _reader(scoped).knowledge_ids == ["kb1", "kb2"]
    files_only = Identity("alice", "user", scope=KeyScope("k", file_ids=frozenset({"f1"})))
    # A key that lists only files reads no collection.
    assert _reader(files_only).knowledge_ids == []


async def test_search_keeps_only_what_the_decider_allows() -> None:
    repo = FakeRepo()
    mine, bobs = knowledge("mine"), knowledge("bobs", owner="bob")
    repo.search_result = ([mine, bobs], 2)
    found, total = await core(repo).search(ALICE, query(text="x"))
    assert [k.id for k in found] == ["mine"] and total == 2


def test_export_entry_names_add_txt_once_and_stay_unique() -> None:
    taken: set[str] = set()
    assert export_entry_name("notes.md", taken) == "notes.md.txt"
    assert export_entry_name("notes.md.txt", taken) == "notes.md (2).txt"
    assert export_entry_name("a.txt", taken) == "a.txt"
    assert export_entry_name("a", taken) == "a (2).txt"


def test_export_filename_is_sanitised() -> None:
    assert export_filename("Q3 report/2024: ünïcode-ok_") == "Q3 report_2024_ ünïcode-ok_.zip"


def test_streamed_zip_is_readable_and_never_seeks() -> None:
    sink = _Sink()
    sent = bytearray()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:  # type: ignore[arg-type]
        for name, pieces in (("a.txt", [b"hello ", b"world"]), ("b.txt", [b"x" * 300_000])):
            with archive.open(name, "w") as entry:
                for piece in pieces:
                    entry.write(piece)
                    sent += sink.take()
    sent += sink.take()
    with zipfile.ZipFile(io.BytesIO(bytes(sent))) as back:
        assert back.namelist() == ["a.txt", "b.txt"]
        assert back.read("a.txt") == b"hello world"
        assert back.read("b.txt") == b"x" * 300_000


async def test_pending_refuses_missing_and_unreadable_collections() -> None:
    repo = FakeRepo()
    repo.pending = [[]]
    search = core(repo, {"kb": knowledge("kb")})
    with pytest.raises(errors.NotFound) as missing:
        await search.pending(ALICE, "nope")
    assert missing.value.http_status == 404
    with pytest.raises(errors.PermissionDenied) as refused:
        await search.pending(BOB, "kb")
    assert refused.value.http_status == 400 and refused.value.detail == messages.ACCESS_PROHIBITED
    assert await search.pending(ALICE, "kb") == []


async def test_watch_sends_only_changes_and_ends_with_an_empty_set() -> None:
    repo = FakeRepo()
    one, one_processing, two = (
        pending_file("f1"),
        pending_file("f1", FileStatus.PROCESSING, 2),
        pending_file("f2"),
    )
    repo.pending = [[one], [one], [one, two], [one_processing, two], [two], []]
    search = core(repo, {"kb": knowledge("kb")})
    frames = [[f.id for f in files] async for files in search.watch_pending(ALICE, "kb")]
    # The repeated [f1] is not sent again; the status change of f1 is.
    assert frames == [["f1"], ["f1", "f2"], ["f1", "f2"], ["f2"], []]


async def test_watch_stops_at_its_time_limit() -> None:
    repo = FakeRepo()
    repo.pending = [[pending_file("f1")]]
    search = core(repo, {"kb": knowledge("kb")}, max_watch_s=0.05, recheck_s=0.01)

    async def frames() -> list[list[FileRecord]]:
        return [files async for files in search.watch_pending(ALICE, "kb")]

    got = await asyncio.wait_for(frames(), 5)
    assert len(got) == 1 and got[0][0].id == "f1"


async def test_export_is_for_admins_and_skips_files_without_text() -> None:
    repo = FakeRepo()
    repo.linked = ["f1", "f2", "f3"]
    repo.texts = {"f1": ("a.md", "alpha"), "f3": ("a.md", "gamma")}
    search = core(repo, {"kb": knowledge("kb"), "ext": knowledge("ext", meta={"source": "external"})})
    with pytest.raises(errors.PermissionDenied) as refused:
        await search.export(ALICE, "kb")
    assert refused.value.http_status == 401
    with pytest.raises(errors.NotFound):
        await search.export(ADMIN, "nope")
    with pytest.raises(errors.InvalidArgument) as external:
        await search.export(ADMIN, "ext")
    assert external.value.detail == EXTERNAL_READ_ONLY
    name, entries = await search.export(ADMIN, "kb")
    assert name == "kb"
    assert [entry async for entry in entries] == [("a.md.txt", "alpha"), ("a.md (2).txt", "gamma")]


async def test_reindex_bumps_and_drops_every_collection_in_batches() -> None:
    repo = FakeRepo()
    repo.ids = [(f"kb{n:04d}", n % 3) for n in range(1203)]
    search = core(repo)
    with pytest.raises(errors.PermissionDenied) as refused:
        await search.reindex(ALICE)
    assert refused.value.detail == messages.UNAUTHORIZED and refused.value.http_status == 401
    collections, files = await search.reindex(ADMIN)
    assert collections == 1203 and files == sum(n % 3 for n in range(1203))
    changes = search._indexes.changes  # type: ignore[attr-defined]
    assert len(changes) == 1203 and {c.op for c in changes} == {"drop"} and changes[0].version == 7
    assert await search.reindex_metadata(ADMIN) == (1203, 1203)
    with pytest.raises(errors.PermissionDenied):
        await search.reindex_metadata(ALICE)


async def test_a_query_with_nul_finds_nothing_without_asking_postgres() -> None:
    repo = FakeRepo()
    repo.search_result = ([knowledge("mine")], 1)
    search = core(repo)
    assert await search.search(ALICE, query(text="a\x00b")) == ([], 0)
    assert repo.readers == []
    page = await search.search_files(ALICE, "a\x00", False, 30, 0)
    assert page.hits == [] and page.total == 0


class RecordingNats:
    """Stands for the NATS client: keeps each subscription's callback; ``fail`` refuses them."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.callbacks: dict[str, object] = {}
        self.unsubscribed = 0

    async def subscribe(self, subject: str, cb=None):  # type: ignore[no-untyped-def]
        if self.fail:
            raise ConnectionClosedError
        self.callbacks[subject] = cb
        nats = self

        class Subscription:
            async def unsubscribe(self) -> None:
                nats.unsubscribed += 1

        return Subscription()


async def test_pending_feed_wakes_on_status_and_collection_events() -> None:
    nc = RecordingNats()
    async with PendingFeed(nc).subscribe() as wakeup:  # type: ignore[arg-type]
        assert set(nc.callbacks) == {"ingest.status.*", "ingest.collections"}
        assert await wakeup.wait(0.01) is False
        await nc.callbacks["ingest.collections"](None)  # type: ignore[operator]
        assert await wakeup.wait(1) is True
        assert await wakeup.wait(0.01) is False
    assert nc.unsubscribed == 2


async def test_pending_feed_without_nats_still_lets_the_watch_poll() -> None:
    async with PendingFeed(RecordingNats(fail=True)).subscribe() as wakeup:  # type: ignore[arg-type]
        assert await wakeup.wait(0.01) is False
