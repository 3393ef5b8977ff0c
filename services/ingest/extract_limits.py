"""Bounds on what extracting one file may unpack and produce, checked before the memory is spent."""

import io
import zipfile
from dataclasses import dataclass

# Parts of an Office archive that are parsed as XML: parsed, they take about 11 times their size.
_XML_SUFFIXES = (".xml", ".rels", ".vml")


class LimitExceeded(Exception):
    """A file over one of the extraction limits; ``detail`` says which, for the file's `error`."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True, slots=True)
class ExtractLimits:
    # Characters of text one file may yield (RAG_MAX_EXTRACTED_CHARS).
    max_chars: int = 5_000_000
    # What an archive (DOCX) may unpack to in all (RAG_MAX_ARCHIVE_BYTES) and in XML parts
    # (RAG_MAX_ARCHIVE_XML_BYTES).
    max_archive_bytes: int = 200 * 1024 * 1024
    max_archive_xml_bytes: int = 32 * 1024 * 1024

    def too_long(self) -> LimitExceeded:
        return LimitExceeded(f"The extracted text is longer than {self.max_chars} characters")

    def check_chars(self, count: int) -> None:
        if count > self.max_chars:
            raise self.too_long()

    def check_source_bytes(self, size: int) -> None:
        """Text formats: no encoding takes less than a byte a character, none more than four."""
        if size > 4 * self.max_chars:
            raise self.too_long()

    def check_archive(self, data: bytes, kind: str) -> None:
        """Refuses a zip whose members would unpack past the limits, from its directory alone (a
        member is never read past its declared size, so the sizes it declares bound what it yields)."""
        try:
            members = zipfile.ZipFile(io.BytesIO(data)).infolist()
        except (zipfile.BadZipFile, ValueError):
            return  # the parser reports a broken file in its own words
        total = sum(member.file_size for member in members)
        xml = sum(member.file_size for member in members if member.filename.lower().endswith(_XML_SUFFIXES))
        if total > self.max_archive_bytes or xml > self.max_archive_xml_bytes:
            raise LimitExceeded(
                f"The {kind} file unpacks to {total} bytes ({xml} of XML), more than allowed"
                f" ({self.max_archive_bytes}, {self.max_archive_xml_bytes} of XML)"
            )
