"""The zip side of the package: a part we write compressed into memory (on a worker thread) and added as a raw
entry, and every part we do not touch copied as its compressed bytes, never re-inflated."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from salesmetrics_xl.ooxml import seek_entry_data

try:
    from isal import isal_zlib as deflate
except ImportError:  # without the fast extra
    import zlib as deflate  # type: ignore[no-redef]


class Deflated:
    """A part compressed into memory as it is written, then put into the package as a raw entry. Level 1 with
    python-isal when installed (the ``fast`` extra): about three times faster than zlib, which was most of the
    cost of a 200k-row Evaluation sheet and of rewriting a 90 MB Tracking sheet; zlib otherwise."""

    def __init__(self) -> None:
        self.compressor = deflate.compressobj(1, deflate.DEFLATED, -15)
        self.chunks: list[bytes] = []
        self.crc = self.size = 0

    def write(self, data: bytes) -> int:
        self.crc = deflate.crc32(data, self.crc)
        self.size += len(data)
        if out := self.compressor.compress(data):
            self.chunks.append(out)
        return len(data)

    def entry(self, info: zipfile.ZipInfo) -> tuple[zipfile.ZipInfo, list[bytes]]:
        self.chunks.append(self.compressor.flush())
        info.compress_type, info.CRC, info.file_size = zipfile.ZIP_DEFLATED, self.crc, self.size
        info.compress_size = sum(len(c) for c in self.chunks)
        return info, self.chunks


def append_raw(out: zipfile.ZipFile, info: zipfile.ZipInfo, chunks: list[bytes]) -> None:
    """Add an entry whose compressed bytes, CRC and sizes are already known: no data descriptor follows."""
    info.flag_bits &= ~0x08
    info.header_offset = out.fp.tell()  # type: ignore[union-attr]
    zip64 = max(info.file_size, info.compress_size) > zipfile.ZIP64_LIMIT
    out.fp.write(info.FileHeader(zip64=zip64))  # type: ignore[union-attr]
    for chunk in chunks:
        out.fp.write(chunk)  # type: ignore[union-attr]
    out.start_dir = out.fp.tell()  # type: ignore[union-attr]
    out.filelist.append(info)
    out.NameToInfo[info.filename] = info


class Inflated:
    """A user's deflated part read for editing, inflated with python-isal when installed: about 1.4 times as fast
    as zipfile's zlib on the 90 MB Tracking sheet of 200,000 rows that gets our range checks. What it reads is
    what zipfile reads, checked the same way: its size and CRC-32 at the end, else zipfile.BadZipFile. At most
    ``_STEP`` bytes are inflated at a time, whatever the part holds."""

    _STEP = 1 << 20

    def __init__(self, path: Path, info: zipfile.ZipInfo):
        self.info, self.src = info, path.open("rb")
        try:
            if not seek_entry_data(self.src, info):
                raise zipfile.BadZipFile(f"Bad magic number for file header of {info.filename!r}")
        except BaseException:
            self.src.close()
            raise
        self.left = info.compress_size  # compressed bytes not read yet
        self.inflater = deflate.decompressobj(-15)
        self.pending = b""  # compressed bytes read but not inflated yet
        self.buffer = b""  # inflated bytes not handed out yet
        self.crc = self.size = 0
        self.done = False

    @staticmethod
    def readable(path: Path, info: zipfile.ZipInfo) -> bool:
        """Only a plain deflated entry: anything else (stored, bzip2, encrypted) is zipfile's to read."""
        return info.compress_type == zipfile.ZIP_DEFLATED and not info.flag_bits & 0x1

    def _fill(self, want: int) -> None:
        """Inflate until ``want`` bytes are buffered (all of them for -1), each step bounded by what is wanted."""
        while (want < 0 or len(self.buffer) < want) and not self.done:
            if not self.pending and self.left:
                self.pending = self.src.read(min(self.left, self._STEP))
                if not self.pending:
                    raise EOFError  # the file ends inside the entry, as zipfile says
                self.left -= len(self.pending)
            data = self.inflater.decompress(self.pending, self._STEP if want < 0 else want - len(self.buffer))
            self.pending = self.inflater.unconsumed_tail
            self.crc = deflate.crc32(data, self.crc)
            self.size += len(data)
            self.buffer += data  # no copy while the buffer is empty, as it is for each read of a stream
            if self.inflater.eof or (not self.pending and not self.left and not data):  # its end, or all read
                self.done = True
                if self.crc != self.info.CRC or self.size != self.info.file_size:
                    raise zipfile.BadZipFile(f"Bad CRC-32 for file {self.info.filename!r}")

    def read(self, size: int = -1) -> bytes:
        self._fill(size)
        if size < 0 or size >= len(self.buffer):
            data, self.buffer = self.buffer, b""
        else:
            data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def peek(self, size: int = 1) -> bytes:
        self._fill(size)
        return self.buffer

    def close(self) -> None:
        self.src.close()

    def __enter__(self) -> Inflated:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def copy_raw(src: IO[bytes], info: zipfile.ZipInfo, out: zipfile.ZipFile) -> None:
    """Copy one entry's compressed bytes as they are: the part is byte-identical and costs no inflating."""
    if not seek_entry_data(src, info):  # copied as they are, the bytes would be no entry at all
        raise zipfile.BadZipFile(f"Bad magic number for file header of {info.filename!r}")
    new = zipfile.ZipInfo(info.filename, info.date_time)
    new.compress_type, new.CRC = info.compress_type, info.CRC
    new.compress_size, new.file_size = info.compress_size, info.file_size
    new.external_attr, new.create_system, new.flag_bits = info.external_attr, info.create_system, info.flag_bits
    append_raw(out, new, [src.read(info.compress_size)])



def entry_info(name: str, like: zipfile.ZipInfo | None) -> zipfile.ZipInfo:
    """A new entry's header: the date of the entry it replaces (so an unchanged run writes the same bytes), or
    1980-01-01 for a new part."""
    info = zipfile.ZipInfo(name, like.date_time if like else (1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    # level 1: several times faster than the default on big sheets, for a slightly larger file
    setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel", 1)
    return info


def iter_parts(path: Path) -> Iterator[tuple[str, bytes]]:
    """Every part's name and uncompressed bytes, for comparing packages."""
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            yield info.filename, zf.read(info)
