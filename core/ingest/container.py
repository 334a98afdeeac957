"""Excel files are zips of XML: refuse zip and XML bombs before any parser opens them.

Everything here reads the zip's central directory (sizes as declared; Python's zipfile, which
openpyxl uses, never inflates a part beyond its declared size) and the first bytes of each XML
part, never a whole part.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Final

from core.ingest.sniff import SniffError

MAX_UNCOMPRESSED_BYTES: Final = 1 << 30
"""Largest total size of a workbook's parts once unpacked: 1 GiB, about 2.5M sheet rows."""
MAX_RATIO: Final = 100
"""Highest compression ratio of a large part; real sheets reach about 10:1, bombs 1000:1."""
RATIO_FLOOR_BYTES: Final = 1 << 20
"""Parts smaller than this unpacked are not judged by ratio (a tiny part may pack very well)."""
MAX_MEMBERS: Final = 10_000
"""Most parts a workbook may hold."""
PROLOG_BYTES: Final = 64 * 1024
"""How much of an XML part is read to find its root element (a DTD can only come before it)."""
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_ROOT = re.compile(rb"<[A-Za-z_:]")


def check_workbook(data: bytes) -> None:
    """Raise SniffError if the .xlsx would unpack too large, packs too well, or declares a DTD."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a readable zip: the Excel reader reports it as a damaged file
    with archive:
        parts = archive.infolist()
        if len(parts) > MAX_MEMBERS:
            raise SniffError("zip_members", count=len(parts), limit=MAX_MEMBERS)
        total = sum(part.file_size for part in parts)
        if total > MAX_UNCOMPRESSED_BYTES:
            raise SniffError(
                "zip_too_large", size=f"{total / 2**20:,.0f}", limit=MAX_UNCOMPRESSED_BYTES >> 20
            )
        for part in parts:
            ratio = part.file_size / max(part.compress_size, 1)
            if part.file_size >= RATIO_FLOOR_BYTES and ratio > MAX_RATIO:
                raise SniffError(
                    "zip_ratio", part=part.filename, ratio=f"{ratio:,.0f}", limit=MAX_RATIO
                )
        for part in parts:
            if part.filename.lower().endswith((".xml", ".rels", ".vml")) and _declares_dtd(
                archive, part
            ):
                raise SniffError("xml_entities", part=part.filename)


def _declares_dtd(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> bool:
    """True when the part's prolog (before its root element) holds a DOCTYPE or ENTITY."""
    try:
        with archive.open(part) as stream:
            head = stream.read(PROLOG_BYTES)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
        return False  # unreadable parts are the Excel reader's to report
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 XML, with its byte-order mark
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    prolog = _COMMENT.sub(b"", head)
    root = _ROOT.search(prolog)
    if root is None:  # no root element within the first 64 KiB: no real workbook part is so
        return len(head) >= PROLOG_BYTES or bool(_DECLARATION.search(prolog))
    return bool(_DECLARATION.search(prolog[: root.start()]))
