"""Extraction limits: text per file, and what an archive may unpack to, refused before parsing."""

import io
import time
import zipfile

import pytest

from bench.memory_probes import docx_bomb
from services.ingest.extract import DOCX_TYPE as DOCX
from services.ingest.extract import ExtractionError, extract
from services.ingest.extract_limits import ExtractLimits
from tests.unit.test_ingest_extract import make_docx, make_pdf

LIMITS = ExtractLimits(
    max_chars=10_000, max_archive_bytes=4 * 1024 * 1024, max_archive_xml_bytes=2 * 1024 * 1024
)


def refusal(data: bytes, filename: str, limits: ExtractLimits = LIMITS) -> str:
    with pytest.raises(ExtractionError) as info:
        extract(data, filename, "", limits)
    return info.value.detail


def test_docx_bomb_is_refused_from_its_directory_before_parsing() -> None:
    # 60 MB of XML, as the probe: parsed, it took ingest to 1.37 GB (about 11 bytes a byte).
    bomb = docx_bomb(60 * 1024 * 1024)
    assert len(bomb) < 400 * 1024
    started = time.monotonic()
    detail = refusal(bomb, "bomb.docx", ExtractLimits())
    assert time.monotonic() - started < 2  # parsing would take about 90 s
    assert detail.startswith("The DOCX file unpacks to ")
    assert "more than allowed" in detail


def test_docx_with_a_blob_that_unpacks_past_the_total_is_refused() -> None:
    plain = io.BytesIO(make_docx())
    with zipfile.ZipFile(plain, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/image1.png", b"\0" * (5 * 1024 * 1024))
    assert "unpacks to" in refusal(plain.getvalue(), "a.docx")


def test_docx_within_the_limits_is_read() -> None:
    [page] = extract(make_docx(), "report.docx", DOCX, LIMITS)
    assert "Revenue grew" in page.text


def test_docx_with_more_text_than_the_cap_fails_with_a_clear_error() -> None:
    bomb = docx_bomb(1024 * 1024)  # ~370,000 characters, within the archive limits
    assert refusal(bomb, "long.docx") == "The extracted text is longer than 10000 characters"


def test_text_file_over_the_cap_fails() -> None:
    assert (
        refusal(b"word " * 2001 + b"x", "notes.txt") == "The extracted text is longer than 10000 characters"
    )


def test_text_file_far_over_the_cap_is_refused_without_decoding() -> None:
    data = "é".encode("latin-1") * 50_000  # not UTF-8: decoding would go to charset detection
    started = time.monotonic()
    assert "longer than 10000" in refusal(data, "big.txt")
    assert time.monotonic() - started < 0.5


def test_large_binary_of_unknown_type_is_still_unsupported() -> None:
    detail = refusal(b"\x00\x01" * 50_000, "blob")
    assert "not supported" in detail


def test_text_at_the_cap_is_kept() -> None:
    [page] = extract(b"a" * 10_000, "notes.txt", "text/plain", LIMITS)
    assert len(page.text) == 10_000


@pytest.mark.parametrize("filename", ["rows.csv", "page.html"])
def test_other_text_formats_over_the_cap_fail(filename: str) -> None:
    data = (
        b"a,b\n" + b"word,other\n" * 2000 if filename.endswith(".csv") else b"<p>" + b"word " * 5000 + b"</p>"
    )
    assert "longer than 10000" in refusal(data, filename)


def test_pdf_over_the_cap_fails() -> None:
    pdf = make_pdf(["Some words on this page " * 40] * 20)
    assert "longer than 10000" in refusal(pdf, "long.pdf")
