"""The zip side of the writer: a user's part inflated for editing reads exactly as zipfile reads it, and damage is
refused exactly as zipfile refuses it."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pytest

from salesmetrics_xl.xlsx.zipcopy import Inflated
from tests.xlsx.books import fidelity_book

# Read patterns of the writer: a peek at the encoding, then the sheet's head and 1 MiB chunks; and odd sizes that
# end inside every inflated step.
PATTERNS = [[-1], [4, 1 << 16] + [1 << 20] * 200, [7] * 500 + [-1], [(1 << 20) + 1] * 100, [0, 1, 0, -1]]


def _read(path: Path, info: zipfile.ZipInfo, sizes: list[int]) -> bytes:
    out = []
    with Inflated(path, info) as part:
        head = part.peek(4)[:4]
        for n in sizes:
            out.append(part.read(n))
        out.append(part.read())
        assert part.read(10) == b""
    data = b"".join(out)
    assert data[:4] == head
    return data


def _big_book(path: Path) -> Path:
    """Parts that inflate in many steps: a long repetitive sheet (30 MB from about 0.1 MB), noise, nothing."""
    rng = random.Random(5)
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (n, n, n % 7) for n in range(1, 700_000))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"<worksheet><sheetData>" + rows + b"</sheetData></worksheet>")
        zf.writestr("xl/media/noise.bin", rng.randbytes(3_000_000))
        zf.writestr("xl/empty.xml", b"")
        zf.writestr("xl/stored.xml", b"<a/>", compress_type=zipfile.ZIP_STORED)
    return path


def test_every_part_reads_as_zipfile_reads_it(tmp_path: Path) -> None:
    for book in (fidelity_book(tmp_path), _big_book(tmp_path / "big.xlsx")):
        with zipfile.ZipFile(book) as zf:
            infos = zf.infolist()
            for info in infos:
                if not Inflated.readable(book, info):
                    assert info.compress_type != zipfile.ZIP_DEFLATED  # left to zipfile
                    continue
                whole = zf.read(info)
                for sizes in PATTERNS:
                    assert _read(book, info, sizes) == whole, (book.name, info.filename, sizes[:3])
        assert sum(Inflated.readable(book, i) for i in infos) >= 3


def test_damage_is_refused_as_zipfile_refuses_it(tmp_path: Path) -> None:
    book = _big_book(tmp_path / "big.xlsx")
    name = "xl/worksheets/sheet1.xml"
    # The directory's CRC or size not what the data inflates to: "Bad CRC-32", as zipfile says of a bad CRC
    for change in ("crc", "size"):
        zf = zipfile.ZipFile(book)
        info = zf.getinfo(name)
        if change == "crc":
            info.CRC ^= 1
        else:
            info.file_size += 1
        with pytest.raises(zipfile.BadZipFile, match="Bad CRC-32"):
            _read(book, info, [-1])
    # Compressed data cut short: what it inflates to is not what the directory says
    zf = zipfile.ZipFile(book)
    info = zf.getinfo(name)
    info.compress_size -= 50
    with pytest.raises(zipfile.BadZipFile, match="Bad CRC-32"):
        _read(book, info, [1 << 20] * 100)
    with pytest.raises(zipfile.BadZipFile, match="Bad CRC-32"), zf.open(info) as theirs:
        theirs.read()
    # The file ends inside the entry (zipfile raises EOFError there too)
    short = tmp_path / "short.xlsx"
    short.write_bytes(book.read_bytes()[:info.header_offset + 1000])
    with pytest.raises(EOFError):
        _read(short, info, [-1])
    # Not a local file header where the directory says: refused before anything is read
    info = zipfile.ZipFile(book).getinfo(name)
    info.header_offset += 1
    with pytest.raises(zipfile.BadZipFile):
        Inflated(book, info)
