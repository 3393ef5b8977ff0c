"""Text extraction from uploaded bytes, mirroring Open WebUI's local loader (PDF, DOCX, HTML, CSV, text)."""

import codecs
import csv
import io
import logging
import re
from dataclasses import dataclass

import charset_normalizer

from services.common import messages
from services.ingest.extract_limits import ExtractLimits, LimitExceeded

log = logging.getLogger(__name__)

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Whitespace-separated lists: one name a line would take a hundred lines.
TEXT_EXTENSIONS = frozenset(
    """
    txt text md markdown mdx rst tex log json jsonl ndjson yaml yml toml ini cfg conf env properties xml
    py pyi js mjs cjs ts tsx jsx vue svelte css scss sass less c h cc cpp cxx hpp hh cs go rs java kt kts
    rb php swift scala lua r pl pm sh bash zsh fish ps1 bat sql graphql proto dart ex exs erl hs clj
    m mm groovy gradle dockerfile makefile cmake tf hcl ipynb srt vtt diff patch
    """.split()  # noqa: SIM905
)
UNSUPPORTED_EXTENSIONS = frozenset(
    """
    doc xls xlsx xlsm ppt pptx odt ods odp epub rtf zip gz tgz bz2 xz 7z rar tar jar exe dll so dylib bin
    iso dmg msg eml png jpg jpeg gif bmp webp tif tiff ico heic svg mp3 wav ogg oga m4a flac aac opus
    mp4 m4v webm mov avi mkv wmv
    """.split()  # noqa: SIM905
)
TEXT_CONTENT_TYPES = frozenset(
    {"application/json", "application/xml", "application/x-yaml", "application/yaml", "application/x-sh"}
)
UNSUPPORTED_CONTENT_PREFIXES = ("image/", "video/", "audio/", "font/")
UNSUPPORTED_CONTENT_TYPES = frozenset(
    {
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
        "application/epub+zip",
        "application/rtf",
        "application/zip",
        "application/gzip",
        "application/x-tar",
        "application/x-7z-compressed",
        "application/vnd.rar",
    }
)
# BOMs checked longest first: the UTF-32-LE BOM begins with the UTF-16-LE one.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Share of printable characters a file of unknown type needs to be taken as text.
MIN_PRINTABLE_RATIO = 0.95
SNIFF_CHARS = 65536
HTML_DROPPED_TAGS = ("script", "style", "noscript", "head", "template")


@dataclass(frozen=True, slots=True)
class Page:
    text: str
    metadata: dict


class ExtractionError(Exception):
    """Input that can never succeed (permanent): ``detail`` is a readable text for the file's `error`."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


DEFAULT_LIMITS = ExtractLimits()


def extract(
    data: bytes, filename: str, content_type: str, limits: ExtractLimits = DEFAULT_LIMITS
) -> list[Page]:
    """The pages of text in ``data``; raises ExtractionError for unsupported, corrupt or empty input,
    and for input over ``limits``."""
    kind = _kind(filename, content_type)
    if kind == "unsupported":
        raise ExtractionError(messages.unsupported_file_type(content_type))
    if not data:
        raise ExtractionError(messages.EMPTY_CONTENT)
    try:
        pages = _pages(data, kind, content_type, limits)
        limits.check_chars(sum(len(page.text) for page in pages))
    except LimitExceeded as error:
        raise ExtractionError(error.detail) from None
    pages = [Page(_normalize_newlines(page.text), page.metadata) for page in pages]
    if not any(page.text.strip() for page in pages):
        raise ExtractionError(messages.EMPTY_CONTENT)
    return pages


def _pages(data: bytes, kind: str, content_type: str, limits: ExtractLimits) -> list[Page]:
    if kind == "pdf":
        return _pdf(data, limits)
    if kind == "docx":
        limits.check_archive(data, "DOCX")
        return [Page(_docx(data, limits), {})]
    if kind == "unknown" and b"\x00" in data[:SNIFF_CHARS]:
        # Binary (as _looks_like_text would find): say so, whatever its size.
        raise ExtractionError(messages.unsupported_file_type(content_type))
    # Text formats: decoded whole, so refused by their size before decoding when that is enough.
    limits.check_source_bytes(len(data))
    if kind == "html":
        return [Page(_html(_text_or_fail(data, content_type)), {})]
    if kind == "csv":
        return _csv(_text_or_fail(data, content_type))
    if kind == "text":
        return [Page(_text_or_fail(data, content_type), {})]
    text = _decode(data)
    if text is None or not _looks_like_text(text):
        raise ExtractionError(messages.unsupported_file_type(content_type))
    return [Page(text, {})]


def document_text(pages: list[Page]) -> str:
    """Open WebUI's ``data.content`` of a processed file."""
    return " ".join(page.text for page in pages)


def _kind(filename: str, content_type: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    ctype = content_type.split(";", 1)[0].strip().lower()
    if ext == "pdf":
        return "pdf"
    if ext == "docx":
        return "docx"
    if ext in ("html", "htm", "xhtml"):
        return "html"
    if ext == "csv":
        return "csv"
    if ext in TEXT_EXTENSIONS:
        return "text"
    if ext in UNSUPPORTED_EXTENSIONS:
        return "unsupported"
    if ctype == "application/pdf":
        return "pdf"
    if ctype == DOCX_TYPE:
        return "docx"
    if ctype in ("text/html", "application/xhtml+xml"):
        return "html"
    if ctype == "text/csv":
        return "csv"
    if ctype.startswith("text/") or ctype in TEXT_CONTENT_TYPES:
        return "text"
    if ctype.startswith(UNSUPPORTED_CONTENT_PREFIXES) or ctype in UNSUPPORTED_CONTENT_TYPES:
        return "unsupported"
    return "unknown"


def _decode(data: bytes) -> str | None:
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError:
                return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    results = charset_normalizer.from_bytes(data)
    match = results.best()
    if match is None:
        return None
    # charset-normalizer breaks ties among single-byte code pages arbitrarily (short French text
    # came out as cp1250); Windows-1252 is the likeliest legacy encoding, so it wins ties.
    for candidate in results:
        if (
            candidate.encoding == "cp1252"
            and candidate.chaos <= match.chaos
            and candidate.coherence >= match.coherence
        ):
            match = candidate
            break
    log.debug("decoded as %s", match.encoding)
    return str(match)


def _text_or_fail(data: bytes, content_type: str) -> str:
    text = _decode(data)
    if text is None:
        raise ExtractionError(messages.unsupported_file_type(content_type))
    return text


def _looks_like_text(text: str) -> bool:
    sample = text[:SNIFF_CHARS]
    if "\x00" in sample:
        return False
    if not sample:
        return True
    printable = sum(1 for ch in sample if ch.isprintable() or ch in "\n\r\t\f")
    return printable / len(sample) >= MIN_PRINTABLE_RATIO


def _normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _pdf(data: bytes, limits: ExtractLimits) -> list[Page]:
    import pypdf

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        # PdfReader already tried the empty password; anything else needs one we do not have.
        if reader.is_encrypted and reader.decrypt("") == pypdf.PasswordType.NOT_DECRYPTED:
            raise ExtractionError("Could not read the PDF: it is protected by a password")
        total = len(reader.pages)
        labels = reader.page_labels
        pages, chars = [], 0
        for i, page in enumerate(reader.pages):
            text = page.extract_text()
            # Stop at the first page past the limit rather than reading the rest.
            chars += len(text)
            limits.check_chars(chars)
            pages.append(Page(text, {"page": i, "page_label": labels[i], "total_pages": total}))
        return pages
    except (ExtractionError, LimitExceeded):
        raise
    except Exception as exc:  # pypdf raises many types for malformed input; all are permanent
        raise ExtractionError(f"Could not read the PDF: {exc}") from exc


def _docx(data: bytes, limits: ExtractLimits) -> str:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        return "\n".join(_docx_blocks(document, _CharBudget(limits)))
    except LimitExceeded:
        raise
    except Exception as exc:  # zip, XML and package errors alike mean a broken file
        raise ExtractionError(f"Could not read the DOCX file: {exc}") from exc


class _CharBudget:
    """Counts text as it is collected, to stop once past the limit."""

    def __init__(self, limits: ExtractLimits) -> None:
        self._limits = limits
        self._chars = 0

    def spend(self, text: str) -> str:
        self._chars += len(text) + 1
        self._limits.check_chars(self._chars)
        return text


def _docx_blocks(container, budget: _CharBudget) -> list[str]:
    from docx.table import Table

    texts = []
    for block in container.iter_inner_content():
        if not isinstance(block, Table):
            texts.append(budget.spend(block.text))
            continue
        for row in block.rows:
            seen = set()
            for cell in row.cells:
                # A merged cell is returned once per grid column it spans.
                if id(cell._tc) in seen:
                    continue
                seen.add(id(cell._tc))
                texts.extend(_docx_blocks(cell, budget))
    return texts


def _html(text: str) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "lxml")
    for tag in soup(HTML_DROPPED_TAGS):
        tag.decompose()
    lines = (line.strip() for line in soup.get_text("\n").splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _csv(text: str) -> list[Page]:
    # As langchain's CSVLoader: one document per row, "column: value" lines; a row's extra
    # values come under the key None and missing ones as the value None.
    try:
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ExtractionError(f"Could not read the CSV file: {exc}") from exc
    return [
        Page("\n".join(f"{_csv_key(k)}: {_csv_value(v)}" for k, v in row.items()), {"row": i})
        for i, row in enumerate(rows)
    ]


def _csv_key(key: str | None) -> str | None:
    return key.strip() if key is not None else key


def _csv_value(value: object) -> object:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return ",".join(map(str.strip, value))
    return value
