"""Uploaded files' raw bytes: compressed when that pays, always given back byte for byte."""

from __future__ import annotations

import pyarrow as pa
import pytest

from core.db import Database
from core.raw_files import CODEC, files_of, pack, unpack
from core.rebuild import rebuild_database
from core.sql import arrow, fetch_all
from core.store import store_uploads
from tests.core.conftest import prepare

ROWS = "".join(f"2026-03,C{i:05d},Customer {i},{100 + i}.50\n" for i in range(2000))
EXPORT = "month,account_id,account_name,net_revenue\n" + ROWS
"""2,000 rows of repetitive CSV (about 60 KB): well worth compressing."""


class TestPack:
    def test_text_is_compressed_and_comes_back_exactly(self) -> None:
        data = EXPORT.encode()
        stored, codec = pack(data)
        assert codec == CODEC
        assert len(stored) < len(data) / 3
        assert unpack(stored, codec, len(data)) == data

    def test_incompressible_bytes_are_kept_as_they_are(self) -> None:
        data = pa.Codec(CODEC).compress(EXPORT.encode(), asbytes=True)
        stored, codec = pack(data)
        assert (stored, codec) == (data, None)

    def test_a_small_file_is_kept_as_it_is(self) -> None:
        assert pack(b"month,net_revenue\n2026-03,1\n") == (b"month,net_revenue\n2026-03,1\n", None)

    def test_an_unknown_codec_is_refused(self) -> None:
        with pytest.raises(ValueError, match="unknown codec 'lz9'"):
            unpack(b"x", "lz9", 1)

    def test_a_copy_from_before_the_codec_column_reads_as_is(self) -> None:
        old = pa.table({"upload_id": [1], "bytes": [b"month\n"]})
        assert files_of(old) == {1: b"month\n"}


class TestStored:
    def test_an_upload_is_stored_compressed_and_rebuilds(self, db: Database) -> None:
        store_uploads(db, [prepare("march.csv", EXPORT)])
        with db.connect() as con:
            ((codec, size, stored),) = fetch_all(
                con, "SELECT codec, size, octet_length(bytes) FROM upload_files"
            )
            assert files_of(arrow(con, "SELECT * FROM upload_files")) == {1: EXPORT.encode()}
            before = fetch_all(con, "SELECT * FROM facts ORDER BY line")
        assert (codec, size) == (CODEC, len(EXPORT.encode()))
        assert stored < size / 3
        rebuild_database(db)
        with db.connect() as con:
            assert fetch_all(con, "SELECT * FROM facts ORDER BY line") == before
