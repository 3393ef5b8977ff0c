"""/api/v1/files end to end: upload (streamed multipart), processing of each supported type, the
status as JSON and SSE, download, listing, deletion, who may see a file, and the size limit."""

import gzip
import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
import requests

from services.common import messages
from tests.e2e.conftest import (
    Account,
    Running,
    make_stack,
    signup,
    status_events,
    upload,
    uploaded,
    verified_user,
    wait_processed,
)

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# The smallest valid PNG: a 1×1 transparent pixel.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def make_pdf(text: str) -> bytes:
    """A one-page PDF showing ``text`` in Helvetica (ASCII without parentheses or backslashes)."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def make_docx(text: str) -> bytes:
    document = docx.Document()
    document.add_heading("A heading", level=1)
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# name → (bytes, content type sent or None to let the gateway guess, text the extraction must find)
DOCUMENTS = {
    "notes.txt": (b"The lighthouse keeper counted exactly 4711 seagulls.\n", None, "4711 seagulls"),
    "guide.md": (b"# Guide\n\nMarmalade must be stirred clockwise.\n", None, "Marmalade must be stirred"),
    "page.html": (
        b"<html><head><title>t</title><script>var hidden = 1;</script></head>"
        b"<body><h1>Harbour</h1><p>The harbour master whistles at noon.</p></body></html>",
        "text/html",
        "harbour master whistles",
    ),
    "table.csv": (b"animal,colour\nokapi,striped\nquokka,brown\n", "text/csv", "okapi"),
    "data.json": (b'{"planet": "Neptune", "moons": 16}', "application/json", "Neptune"),
    "report.docx": (
        make_docx("Zeppelins cross the Atlantic slowly."),
        DOCX_TYPE,
        "Zeppelins cross the Atlantic",
    ),
    "paper.pdf": (
        make_pdf("Quasars emit radio waves in the Perseus cluster."),
        None,
        "Quasars emit radio waves",
    ),
}


def get(running: Running, path: str, account: Account, **kwargs) -> requests.Response:
    return requests.get(f"{running.url}{path}", headers=account.headers, timeout=30, **kwargs)


@pytest.fixture(scope="module")
def owner(running: Running) -> Account:
    return verified_user(running, "files-owner@example.com", name="Files Owner")


@pytest.fixture(scope="module")
def documents(running: Running, owner: Account) -> dict[str, tuple[dict, dict]]:
    """Every document uploaded once (processing in parallel), then waited for: name → (upload
    reply, file once processed)."""
    replies = {
        name: uploaded(running.url, owner, name, data, content_type=content_type)
        for name, (data, content_type, _) in DOCUMENTS.items()
    }
    return {name: (reply, wait_processed(running.url, owner, reply["id"])) for name, reply in replies.items()}


def test_upload_reply_is_open_webuis_shape(documents: dict, owner: Account) -> None:
    reply, _ = documents["notes.txt"]
    data = DOCUMENTS["notes.txt"][0]
    assert list(reply) == [
        *("id", "user_id", "hash", "filename", "data", "meta"),
        *("created_at", "updated_at", "status", "path"),
    ]
    assert reply["user_id"] == owner.id
    assert reply["hash"] is None
    assert reply["filename"] == "notes.txt"
    assert reply["data"] == {"status": "pending"}
    assert reply["status"] is True
    assert reply["path"]
    meta = reply["meta"]
    assert (meta["name"], meta["content_type"], meta["size"]) == ("notes.txt", "text/plain", len(data))
    assert meta["file_hash"] == hashlib.sha256(data).hexdigest()
    assert meta["data"] == {}


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_each_type_is_extracted_and_indexed(documents: dict, name: str) -> None:
    _, file = documents[name]
    assert file["data"]["status"] == "completed", file["data"]
    assert DOCUMENTS[name][2] in file["data"]["content"]
    assert file["meta"]["collection_name"] == f"file-{file['id']}"
    assert file["hash"]
    assert file["path"]


def test_html_drops_markup_and_scripts(documents: dict) -> None:
    content = documents["page.html"][1]["data"]["content"]
    assert "<p>" not in content and "hidden" not in content


def test_status_once_completed(running: Running, documents: dict, owner: Account) -> None:
    file_id = documents["notes.txt"][0]["id"]
    reply = get(running, f"/api/v1/files/{file_id}/process/status", owner)
    assert reply.json() == {"status": "completed"}
    assert status_events(running.url, owner, file_id) == [{"status": "completed"}]


def test_sse_follows_processing_to_completed(running: Running, owner: Account) -> None:
    reply = uploaded(running.url, owner, "watched.txt", b"Watched files report each change of status.")
    events = status_events(running.url, owner, reply["id"])
    assert events[-1] == {"status": "completed"}
    assert all(e["status"] in ("pending", "processing", "completed") for e in events)
    assert get(running, f"/api/v1/files/{reply['id']}/process/status", owner).json() == {
        "status": "completed"
    }


def test_process_in_background_false_replies_when_done(running: Running, owner: Account) -> None:
    reply = uploaded(
        running.url,
        owner,
        "sync.txt",
        b"Synchronous uploads wait for the work.",
        query="?process_in_background=false",
    )
    assert reply["status"] is True
    assert reply["data"]["status"] == "completed"
    assert reply["hash"]
    assert reply["meta"]["collection_name"] == f"file-{reply['id']}"


def test_process_false_stores_without_processing(running: Running, owner: Account) -> None:
    reply = uploaded(running.url, owner, "raw.txt", b"never processed", query="?process=false")
    assert "status" not in reply
    assert reply["data"] == {}
    file_id = reply["id"]
    assert get(running, f"/api/v1/files/{file_id}/process/status", owner).json() == {"status": "pending"}
    assert status_events(running.url, owner, file_id) == []
    assert get(running, f"/api/v1/files/{file_id}/data/content", owner).json() == {"content": ""}
    assert get(running, f"/api/v1/files/{file_id}", owner).json()["data"] == {}


def test_unsupported_type_fails_with_its_reason(running: Running, owner: Account) -> None:
    reply = uploaded(running.url, owner, "pixel.png", PNG)
    assert reply["meta"]["content_type"] == "image/png"
    error = messages.unsupported_file_type("image/png")
    assert status_events(running.url, owner, reply["id"])[-1] == {"status": "failed", "error": error}
    file = wait_processed(running.url, owner, reply["id"])
    assert (file["data"]["status"], file["data"]["error"]) == ("failed", error)
    assert file["hash"] is None
    # The JSON status carries no error, as Open WebUI's does not.
    assert get(running, f"/api/v1/files/{reply['id']}/process/status", owner).json() == {"status": "failed"}


def test_empty_file_fails(running: Running, owner: Account) -> None:
    reply = uploaded(running.url, owner, "empty.txt", b"")
    file = wait_processed(running.url, owner, reply["id"])
    assert file["data"]["status"] == "failed"
    assert messages.EMPTY_CONTENT in file["data"]["error"]


def test_client_metadata_is_kept(running: Running, owner: Account) -> None:
    reply = uploaded(
        running.url, owner, "tagged.txt", b"tagged", query="?process=false", metadata='{"tag": "x"}'
    )
    assert reply["meta"]["data"] == {"tag": "x"}


def test_bad_metadata_is_400(running: Running, owner: Account) -> None:
    for metadata in ("{not json", "[1, 2]"):
        reply = upload(running.url, owner, "m.txt", b"m", metadata=metadata)
        assert (reply.status_code, reply.json()) == (400, {"detail": messages.INVALID_METADATA})


def test_missing_file_field_is_422(running: Running, owner: Account) -> None:
    missing = {
        "detail": [{"type": "missing", "loc": ["body", "file"], "msg": "Field required", "input": None}]
    }
    url = f"{running.url}/api/v1/files/"
    only_metadata = requests.post(url, headers=owner.headers, files={"metadata": (None, "{}")}, timeout=10)
    assert (only_metadata.status_code, only_metadata.json()) == (422, missing)
    not_multipart = requests.post(url, headers=owner.headers, json={"file": "x"}, timeout=10)
    assert (not_multipart.status_code, not_multipart.json()) == (422, missing)


def test_part_headers_that_are_not_http_headers_are_400(running: Running, owner: Account) -> None:
    # Found by schemathesis: control bytes in a part's Content-Disposition made aiohttp raise.
    boundary = "b0undary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="x\x0c\x1d"\r\n\r\nv\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="f.txt"\r\n\r\nhi\r\n'
        f"--{boundary}--\r\n"
    ).encode()
    headers = {**owner.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    reply = requests.post(f"{running.url}/api/v1/files/", headers=headers, data=body, timeout=10)
    assert (reply.status_code, reply.json()) == (400, {"detail": messages.BODY_PARSE_ERROR})


def test_unknown_charset_and_undecodable_body(running: Running, owner: Account) -> None:
    # Found by fuzzing: both were 500s. A field in a charset Python does not know is read as UTF-8
    # (as Starlette reads fields); a body whose Content-Encoding is false cannot be parsed.
    boundary = "b0undary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n'
        f'Content-Type: text/plain; charset=x-nope\r\n\r\n{{"k": "v"}}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="c.txt"\r\n\r\nhi\r\n'
        f"--{boundary}--\r\n"
    ).encode()
    headers = {**owner.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    url = f"{running.url}/api/v1/files/"
    reply = requests.post(url, headers=headers, data=body, timeout=10)
    assert (reply.status_code, reply.json()["meta"]["data"]) == (200, {"k": "v"})
    reply = requests.post(url, headers={**headers, "Content-Encoding": "gzip"}, data=body, timeout=10)
    assert (reply.status_code, reply.json()) == (400, {"detail": messages.BODY_PARSE_ERROR})


def test_what_postgres_cannot_hold_is_refused_or_dropped(running: Running, owner: Account) -> None:
    # Found by fuzzing: these were 500s. NUL in the metadata (or nested past what can be written
    # back) is invalid metadata; a NUL that a percent-encoded filename carries is dropped.
    deep = '{"a":' * 300 + "1" + "}" * 300
    for metadata in ('{"a": "x\\u0000"}', '{"k\\u0000": 1}', deep):
        reply = upload(running.url, owner, "m.txt", b"m", metadata=metadata)
        assert (reply.status_code, reply.json()) == (400, {"detail": messages.INVALID_METADATA})
    boundary = "b0undary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f"filename*=UTF-8''a%00b.txt\r\n\r\nhi\r\n--{boundary}--\r\n"
    ).encode()
    headers = {**owner.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    reply = requests.post(f"{running.url}/api/v1/files/", headers=headers, data=body, timeout=10)
    assert (reply.status_code, reply.json()["filename"]) == (200, "ab.txt")


def test_a_page_past_any_integer_is_empty(running: Running, owner: Account) -> None:
    reply = get(running, "/api/v1/files/?page=364488563018609524736", owner)
    assert (reply.status_code, reply.json()["items"]) == (200, [])


@pytest.mark.parametrize(
    ("name", "query", "content_type", "disposition"),
    [
        ("notes.txt", "", "text/plain; charset=utf-8", None),
        (
            "notes.txt",
            "?attachment=true",
            "text/plain; charset=utf-8",
            "attachment; filename*=UTF-8''notes.txt",
        ),
        ("paper.pdf", "", "application/pdf", "inline; filename*=UTF-8''paper.pdf"),
        ("report.docx", "", DOCX_TYPE, "attachment; filename*=UTF-8''report.docx"),
        ("table.csv", "", "text/csv; charset=utf-8", "attachment; filename*=UTF-8''table.csv"),
    ],
)
def test_content_download(
    running: Running, documents: dict, owner: Account, name: str, query: str, content_type: str, disposition
) -> None:
    file_id = documents[name][0]["id"]
    reply = get(running, f"/api/v1/files/{file_id}/content{query}", owner)
    assert reply.status_code == 200
    assert reply.content == DOCUMENTS[name][0]
    assert reply.headers["Content-Type"] == content_type
    assert reply.headers["Content-Length"] == str(len(DOCUMENTS[name][0]))
    assert reply.headers.get("Content-Disposition") == disposition
    assert reply.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("encoded", "stored"),
    [
        ("a%0D%0ASet-Cookie%3A%20x%3Dy.txt", "aSet-Cookie: x=y.txt"),
        ("%09tab%7F%C2%85c1.txt", "tabc1.txt"),
        ("invoice%E2%80%AEfdp.exe", "invoicefdp.exe"),
        ("%E2%81%A6iso%E2%81%A9%E2%80%8Fmark.txt", "isomark.txt"),
    ],
)
def test_control_and_bidi_characters_are_stripped_from_stored_names(
    running: Running, owner: Account, encoded: str, stored: str
) -> None:
    boundary = "b0undary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f"filename*=UTF-8''{encoded}\r\n\r\nhi\r\n--{boundary}--\r\n"
    ).encode()
    headers = {**owner.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    reply = requests.post(
        f"{running.url}/api/v1/files/?process=false", headers=headers, data=body, timeout=10
    )
    assert (reply.status_code, reply.json()["filename"]) == (200, stored)
    listed = get(running, f"/api/v1/files/{reply.json()['id']}", owner).json()
    assert (listed["filename"], listed["meta"]["name"]) == (stored, stored)


def test_content_download_of_a_unicode_name(running: Running, owner: Account) -> None:
    reply = uploaded(running.url, owner, "résumé été.md", b"# CV", query="?process=false")
    download = get(running, f"/api/v1/files/{reply['id']}/content", owner)
    assert (
        download.headers["Content-Disposition"]
        == "attachment; filename*=UTF-8''r%C3%A9sum%C3%A9%20%C3%A9t%C3%A9.md"
    )


def test_get_file_and_data_content(running: Running, documents: dict, owner: Account) -> None:
    reply, processed = documents["guide.md"]
    file = get(running, f"/api/v1/files/{reply['id']}", owner).json()
    assert file == processed
    assert list(file)[:5] == ["id", "user_id", "hash", "filename", "path"]
    content = get(running, f"/api/v1/files/{reply['id']}/data/content", owner).json()
    assert content == {"content": processed["data"]["content"]}


def test_list_pages_newest_first(running: Running) -> None:
    lister = verified_user(running, "files-lister@example.com")
    ids = [uploaded(running.url, lister, f"n{i}.txt", b"x", query="?process=false")["id"] for i in range(51)]
    first = get(running, "/api/v1/files/", lister).json()
    second = get(running, "/api/v1/files/?page=2", lister).json()
    assert (first["total"], second["total"]) == (51, 51)
    assert (len(first["items"]), len(second["items"])) == (50, 1)
    listed = first["items"] + second["items"]
    # Newest first (created_at has a resolution of one second); pages neither overlap nor skip.
    assert [i["created_at"] for i in listed] == sorted((i["created_at"] for i in listed), reverse=True)
    assert sorted(i["id"] for i in listed) == sorted(ids)
    assert "path" not in first["items"][0]
    assert get(running, "/api/v1/files/?page=3", lister).json() == {"items": [], "total": 51}
    assert get(running, "/api/v1/files/?page=x", lister).status_code == 422


def test_list_with_and_without_content(running: Running, documents: dict, owner: Account) -> None:
    with_content = get(running, "/api/v1/files/", owner).json()["items"]
    by_id = {item["id"]: item for item in with_content}
    notes_id = documents["notes.txt"][0]["id"]
    assert "4711 seagulls" in by_id[notes_id]["data"]["content"]
    without = get(running, "/api/v1/files/?content=false", owner).json()["items"]
    assert without and all("content" not in item["data"] for item in without)
    assert {item["id"]: item["data"]["status"] for item in without if item["id"] == notes_id} == {
        notes_id: "completed"
    }


def test_delete_then_everything_is_404(running: Running, owner: Account) -> None:
    file_id = uploaded(
        running.url, owner, "doomed.txt", b"Doomed files vanish.", query="?process_in_background=false"
    )["id"]
    reply = requests.delete(f"{running.url}/api/v1/files/{file_id}", headers=owner.headers, timeout=30)
    assert (reply.status_code, reply.json()) == (200, {"message": messages.FILE_DELETED})
    for path in ("", "/data/content", "/content", "/process/status", "/process/status?stream=true"):
        gone = get(running, f"/api/v1/files/{file_id}{path}", owner)
        assert (gone.status_code, gone.json()) == (404, {"detail": messages.NOT_FOUND}), path
    again = requests.delete(f"{running.url}/api/v1/files/{file_id}", headers=owner.headers, timeout=30)
    assert again.status_code == 404
    assert file_id not in [
        i["id"] for i in get(running, "/api/v1/files/?content=false", owner).json()["items"]
    ]


def test_an_id_with_nul_is_404(running: Running, owner: Account) -> None:
    for path in ("", "/data/content", "/content", "/process/status"):
        reply = get(running, f"/api/v1/files/a%00b{path}", owner)
        assert (reply.status_code, reply.json()) == (404, {"detail": messages.NOT_FOUND}), path
    delete = requests.delete(f"{running.url}/api/v1/files/a%00b", headers=owner.headers, timeout=10)
    assert delete.status_code == 404


def test_another_users_file_is_404_on_every_route(
    running: Running, documents: dict, owner: Account, other_user: Account
) -> None:
    file_id = documents["notes.txt"][0]["id"]
    for path in ("", "/data/content", "/content", "/process/status", "/process/status?stream=true"):
        reply = get(running, f"/api/v1/files/{file_id}{path}", other_user)
        assert (reply.status_code, reply.json()) == (404, {"detail": messages.NOT_FOUND}), path
    delete = requests.delete(f"{running.url}/api/v1/files/{file_id}", headers=other_user.headers, timeout=10)
    assert (delete.status_code, delete.json()) == (404, {"detail": messages.NOT_FOUND})
    listed = get(running, "/api/v1/files/?content=false", other_user).json()["items"]
    assert file_id not in [item["id"] for item in listed]
    # Admins see every file.
    assert get(running, f"/api/v1/files/{file_id}", running.admin).status_code == 200
    assert get(running, f"/api/v1/files/{file_id}", owner).status_code == 200


def test_files_need_a_verified_user(running: Running, pending: Account) -> None:
    for reply in (
        get(running, "/api/v1/files/", pending),
        upload(running.url, pending, "p.txt", b"p"),
        requests.get(f"{running.url}/api/v1/files/", timeout=10),
    ):
        assert reply.status_code == 401


# -- a stack with a 1 MB upload limit and the default permissions ------------------------------


@pytest.fixture(scope="module")
def small_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Account, Account]]:
    """A second stack: RAG_FILE_MAX_SIZE=1 (MB) and USER_PERMISSIONS_WORKSPACE_KNOWLEDGE_ACCESS
    unset; yields its URL, its admin and a verified user."""
    data_dir: Path = tmp_path_factory.mktemp("small-stack")
    stack = make_stack(data_dir, RAG_FILE_MAX_SIZE="1", EMBEDDING_PRELOAD="false")
    stack.start()
    try:
        url = stack.gateway_url
        admin = signup(url, "admin@small.example.com", "admin password")
        member = signup(url, "member@small.example.com")
        promoted = requests.post(
            f"{url}/api/v1/users/{member.id}/update", json={"role": "user"}, headers=admin.headers, timeout=10
        )
        assert promoted.status_code == 200, promoted.text
        signin = requests.post(
            f"{url}/api/v1/auths/signin",
            json={"email": member.email, "password": member.password},
            timeout=10,
        )
        member.token = signin.json()["token"]
        yield url, admin, member
    finally:
        stack.stop()


def test_upload_over_the_size_limit_is_413(small_stack: tuple[str, Account, Account]) -> None:
    url, _, member = small_stack
    before = requests.get(f"{url}/api/v1/files/", headers=member.headers, timeout=10).json()["total"]
    reply = upload(url, member, "big.txt", b"a" * (1024 * 1024 + 512 * 1024))
    assert (reply.status_code, reply.json()) == (413, {"detail": messages.file_too_large(1)})
    after = requests.get(f"{url}/api/v1/files/", headers=member.headers, timeout=10).json()["total"]
    assert after == before
    # Just under the limit is fine.
    assert upload(url, member, "fits.txt", b"a" * 1000, query="?process=false").status_code == 200


def _form_body(data: bytes, boundary: str = "limit-probe") -> tuple[bytes, dict[str, str]]:
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n\r\n'
    body = head.encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def test_upload_far_over_the_limit_is_413_however_framed(small_stack: tuple[str, Account, Account]) -> None:
    """Far over the limit (the service's own refusal, racing the chunks still being written, used
    to come back as 500): with a Content-Length, chunked, and gzip that inflates past it."""
    url, _, member = small_stack
    body, headers = _form_body(b"a" * (40 * 1024 * 1024))
    headers.update(member.headers)
    too_large = (413, {"detail": messages.file_too_large(1)})

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 256 * 1024):
            yield body[start : start + 256 * 1024]

    framed = requests.post(f"{url}/api/v1/files/", data=body, headers=headers, timeout=60)
    assert (framed.status_code, framed.json()) == too_large
    chunked = requests.post(f"{url}/api/v1/files/", data=chunks(), headers=headers, timeout=60)
    assert (chunked.status_code, chunked.json()) == too_large
    inflating, _ = _form_body(b"a" * (150 * 1024 * 1024))
    gzipped = requests.post(
        f"{url}/api/v1/files/",
        data=gzip.compress(inflating),
        headers={**headers, "Content-Encoding": "gzip"},
        timeout=60,
    )
    assert (gzipped.status_code, gzipped.json()) == too_large


def test_knowledge_creation_is_for_admins_by_default(small_stack: tuple[str, Account, Account]) -> None:
    url, admin, member = small_stack
    assert member.signup_reply["permissions"]["workspace"]["knowledge"] is False
    body = {"name": "kb", "description": "d"}
    refused = requests.post(f"{url}/api/v1/knowledge/create", json=body, headers=member.headers, timeout=10)
    assert (refused.status_code, refused.json()) == (401, {"detail": messages.UNAUTHORIZED})
    allowed = requests.post(f"{url}/api/v1/knowledge/create", json=body, headers=admin.headers, timeout=10)
    assert allowed.status_code == 200, allowed.text
