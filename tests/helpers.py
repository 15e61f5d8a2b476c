"""Helpers shared by several test modules (import them from here, never from another test module)."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path


def raw_entries(path: Path) -> dict[str, tuple[int, int, bytes]]:
    """Each entry's CRC, compressed size and compressed bytes: equal means copied, never re-inflated."""
    out = {}
    with zipfile.ZipFile(path) as zf, path.open("rb") as fh:
        for info in zf.infolist():
            fh.seek(info.header_offset + 26)
            n, m = struct.unpack("<HH", fh.read(4))
            fh.seek(info.header_offset + 30 + n + m)
            out[info.filename] = (info.CRC, info.compress_size, fh.read(info.compress_size))
    return out
