"""Text extraction: each supported type, text encodings, and the permanent errors' texts."""

import io
import random

import docx
import pypdf
import pytest

from services.common import messages
from services.ingest.extract import ExtractionError, Page, document_text, extract


def make_pdf(texts: list[str]) -> bytes:
    """A minimal valid PDF, one page per text (ASCII, no parentheses), in Helvetica."""
    count = len(texts)
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i, text in enumerate(texts):
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode() if text else b""
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * i)
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def make_docx() -> bytes:
    document = docx.Document()
    document.add_heading("Quarterly report", level=1)
    document.add_paragraph("Revenue grew in every region.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Region"
    table.cell(0, 1).text = "Growth"
    table.cell(1, 0).text = "North"
    table.cell(1, 1).text = "12%"
    document.add_paragraph("Closing remarks.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def detail(data: bytes, filename: str, content_type: str) -> str:
    with pytest.raises(ExtractionError) as info:
        extract(data, filename, content_type)
    assert str(info.value) == info.value.detail
    return info.value.detail


def test_pdf_gives_one_page_per_pdf_page_with_loader_metadata() -> None:
    pages = extract(make_pdf(["Hello first page", "Second page here"]), "doc.pdf", "application/pdf")
    assert [page.text for page in pages] == ["Hello first page", "Second page here"]
    assert pages[0].metadata == {"page": 0, "page_label": "1", "total_pages": 2}
    assert pages[1].metadata == {"page": 1, "page_label": "2", "total_pages": 2}


def test_pdf_page_labels_come_from_the_document() -> None:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(make_pdf(["Preface", "Body"]))))
    writer.set_page_label(0, 0, style="/r")
    writer.set_page_label(1, 1, style="/D")
    buffer = io.BytesIO()
    writer.write(buffer)
    pages = extract(buffer.getvalue(), "doc.pdf", "application/pdf")
    assert [page.metadata["page_label"] for page in pages] == ["i", "1"]


def test_pdf_is_chosen_by_content_type_when_the_name_has_no_extension() -> None:
    pages = extract(make_pdf(["By content type"]), "upload", "application/pdf")
    assert pages[0].text == "By content type"


def test_corrupt_pdf_is_a_readable_permanent_error() -> None:
    message = detail(b"%PDF-1.4\nthis is not really a pdf", "broken.pdf", "application/pdf")
    assert message.startswith("Could not read the PDF: ")
    truncated = make_pdf(["Some text"])[:60]
    assert detail(truncated, "cut.pdf", "application/pdf").startswith("Could not read the PDF: ")


def test_password_protected_pdf_is_a_permanent_error() -> None:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(make_pdf(["Secret"]))))
    writer.encrypt("hunter2", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert detail(buffer.getvalue(), "locked.pdf", "application/pdf") == (
        "Could not read the PDF: it is protected by a password"
    )


def test_pdf_without_text_is_empty_content() -> None:
    assert detail(make_pdf(["", ""]), "scan.pdf", "application/pdf") == messages.EMPTY_CONTENT


def test_docx_paragraphs_and_table_cells_in_document_order() -> None:
    pages = extract(make_docx(), "report.docx", "application/octet-stream")
    assert pages == [
        Page(
            "Quarterly report\nRevenue grew in every region.\nRegion\nGrowth\nNorth\n12%\nClosing remarks.",
            {},
        )
    ]


def test_docx_by_content_type_and_corrupt_docx() -> None:
    docx_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert extract(make_docx(), "report", docx_type)[0].text.startswith("Quarterly report")
    assert detail(b"PK\x03\x04 not a zip", "bad.docx", docx_type).startswith("Could not read the DOCX file: ")


def test_html_gives_visible_text_only() -> None:
    html = (
        b"<html><head><title>Tab title</title><style>p { color: red }</style></head>"
        b"<body><script>var secret = 1;</script><noscript>Enable JS</noscript>"
        b"<h1>Welcome</h1>\n\n\n\n   <p>First paragraph.</p><!-- a comment --><p>Second</p></body></html>"
    )
    (page,) = extract(html, "index.html", "text/html")
    assert page.text == "Welcome\n\nFirst paragraph.\nSecond"
    for hidden in ("Tab title", "color", "secret", "Enable JS", "comment"):
        assert hidden not in page.text


def test_html_by_content_type() -> None:
    assert extract(b"<p>Hi &amp; bye</p>", "page", "text/html; charset=utf-8")[0].text == "Hi & bye"


def test_csv_gives_one_page_per_row_like_csv_loader() -> None:
    data = b'name,note\r\nAnn, hello \r\n"Bob","two\r\nlines"\r\nCid\r\nDee,x,extra1,extra2\r\n'
    pages = extract(data, "people.csv", "text/csv")
    assert pages == [
        Page("name: Ann\nnote: hello", {"row": 0}),
        Page("name: Bob\nnote: two\nlines", {"row": 1}),
        Page("name: Cid\nnote: None", {"row": 2}),
        Page("name: Dee\nnote: x\nNone: extra1,extra2", {"row": 3}),
    ]
    assert document_text(pages).startswith("name: Ann\nnote: hello name: Bob")


def test_csv_with_only_a_header_is_empty_content() -> None:
    assert detail(b"a,b,c\n", "empty.csv", "text/csv") == messages.EMPTY_CONTENT


def test_json_markdown_and_code_are_kept_as_written() -> None:
    code = b'def main():\n    print("hi")  # greet\n\tpass\n'
    assert extract(code, "main.py", "text/x-python") == [Page(code.decode(), {})]
    assert extract(code, "main.py", "application/octet-stream")[0].text == code.decode()
    assert extract(b'{"a": [1, 2]}', "data.json", "application/json")[0].text == '{"a": [1, 2]}'
    assert extract(b"# Title\n\nBody", "notes.md", "text/markdown")[0].text == "# Title\n\nBody"
    assert extract(b"key: value", "conf.yaml", "")[0].text == "key: value"


def test_extension_decides_before_content_type() -> None:
    assert extract(b"plain words", "notes.txt", "image/png")[0].text == "plain words"
    message = detail(make_pdf(["x"]), "photo.png", "application/pdf")
    assert message == messages.unsupported_file_type("application/pdf")


def test_any_text_content_type_is_text() -> None:
    assert extract(b"some words", "upload", "text/x-weird")[0].text == "some words"


def test_encodings() -> None:
    french = "Le café est très chaud. Où est la bibliothèque? Ça va, merci — à bientôt! Crème brûlée."
    assert extract(french.encode("utf-8"), "a.txt", "text/plain")[0].text == french
    assert extract(b"\xef\xbb\xbf" + french.encode("utf-8"), "a.txt", "text/plain")[0].text == french
    assert extract(french.encode("cp1252"), "a.txt", "text/plain")[0].text == french
    assert extract("café crème brûlée".encode("latin-1"), "a.txt", "text/plain")[0].text == (
        "café crème brûlée"
    )
    assert extract(french.encode("utf-16"), "a.txt", "text/plain")[0].text == french
    assert extract(french.encode("utf-16-be"), "a.txt", "text/plain")[0].text == french  # detected
    assert extract(b"\xfe\xff" + french.encode("utf-16-be"), "a.txt", "text/plain")[0].text == french
    russian = "Привет, мир! Это тестовый документ на русском языке."
    assert extract(russian.encode("cp1251"), "a.txt", "text/plain")[0].text == russian


def test_newlines_are_normalised() -> None:
    assert extract(b"one\r\ntwo\rthree\n", "a.txt", "text/plain")[0].text == "one\ntwo\nthree\n"


def test_unknown_type_that_decodes_as_text_is_text() -> None:
    assert extract(b"just some notes\n", "README", "application/octet-stream")[0].text == "just some notes\n"
    assert extract("naïve café".encode("cp1252"), "notes.unknownext", "")[0].text == "naïve café"


def test_unknown_binary_is_unsupported() -> None:
    rng = random.Random(7)
    blob = b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(4096))
    assert detail(blob, "blob", "application/octet-stream") == (
        "File type application/octet-stream is not supported for processing"
    )
    assert detail(b"abc\x00\x00\x01\x02def" * 50, "data.bin2", "application/x-custom") == (
        messages.unsupported_file_type("application/x-custom")
    )


@pytest.mark.parametrize(
    ("filename", "content_type"),
    [
        ("photo.png", "image/png"),
        ("photo", "image/jpeg"),
        ("clip.mp4", "video/mp4"),
        ("voice", "audio/mpeg"),
        ("sheet.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("old.doc", "application/msword"),
        ("slides.pptx", "application/octet-stream"),
        ("book", "application/epub+zip"),
        ("archive.zip", "application/zip"),
    ],
)
def test_unsupported_types_name_the_given_content_type(filename: str, content_type: str) -> None:
    assert detail(b"\x89PNG\r\n\x1a\nbinary", filename, content_type) == (
        f"File type {content_type} is not supported for processing"
    )


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n  ", b"\xef\xbb\xbf"])
def test_empty_document_is_empty_content(data: bytes) -> None:
    assert detail(data, "empty.txt", "text/plain") == messages.EMPTY_CONTENT


def test_empty_html_is_empty_content() -> None:
    html = b"<html><head><title>Only a title</title></head><body><script>x()</script></body></html>"
    assert detail(html, "a.html", "text/html") == messages.EMPTY_CONTENT


def test_document_text_joins_pages_with_a_space() -> None:
    pages = [Page("one", {"page": 0}), Page("two\n", {"page": 1})]
    assert document_text(pages) == "one two\n"
