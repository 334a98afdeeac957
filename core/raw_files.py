"""The uploaded files' raw bytes, kept in `upload_files` so the database can be rebuilt.

Delimited text is stored zstd-compressed (about a quarter of its size here): writing 109 MiB
of CSV into the database file twice (its log, then the table) cost more than compressing it.
Files that are compressed already (Excel, Parquet) are stored as they are.
"""

from __future__ import annotations

from typing import Final

import duckdb
import pyarrow as pa

CODEC: Final = "zstd"
"""The `codec` of a compressed file; NULL means the bytes are the file as uploaded."""

_LEVEL: Final = 1
"""zstd's fastest level: 109 MiB of CSV in about 0.2 s, to 26 MiB."""

_WORTH: Final = 0.9
"""Keep the compressed bytes only when they are at most this share of the file."""

_MIN_BYTES: Final = 4096
"""Smaller files are kept as they are: nothing worth saving."""


def pack(data: bytes) -> tuple[bytes, str | None]:
    """The bytes to store and their codec (None: the file as it is)."""
    if len(data) < _MIN_BYTES:
        return data, None
    packed = pa.Codec(CODEC, compression_level=_LEVEL).compress(data, asbytes=True)
    if len(packed) > _WORTH * len(data):
        return data, None
    return packed, CODEC


def unpack(stored: bytes, codec: str | None, size: int | None) -> bytes:
    """The file as uploaded, from the stored bytes, their codec and the file's size."""
    if codec is None:
        return stored
    if codec != CODEC or size is None:
        raise ValueError(f"stored file bytes use an unknown codec '{codec}' or lack their size")
    return pa.Codec(CODEC).decompress(stored, decompressed_size=size, asbytes=True)


def store_file(con: duckdb.DuckDBPyConnection, upload_id: int, data: bytes) -> None:
    """Keep an upload's raw bytes, in the caller's transaction."""
    stored, codec = pack(data)
    con.execute(
        "INSERT INTO upload_files (upload_id, bytes, codec, size) VALUES ($id, $b, $codec, $size)",
        {"id": upload_id, "b": stored, "codec": codec, "size": len(data)},
    )


def files_of(table: pa.Table) -> dict[int, bytes]:
    """Every upload's file as uploaded, by upload id, from a copy of `upload_files` (one row per
    upload; a copy from before schema version 4 has no codec or size: its bytes are as is)."""
    columns = table.to_pydict()
    count = table.num_rows
    codecs = columns.get("codec", [None] * count)
    sizes = columns.get("size", [None] * count)
    return {
        upload_id: unpack(stored, codec, size)
        for upload_id, stored, codec, size in zip(
            columns["upload_id"], columns["bytes"], codecs, sizes, strict=True
        )
    }
