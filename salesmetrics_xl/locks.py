"""Who has a workbook open: the lock files Excel and LibreOffice keep beside a workbook while it is open.

A workbook open in a spreadsheet program is never written (in place, or over an earlier output): the program would
save its own copy over ours on the next Ctrl-S, or ours would vanish under the user. Both programs leave a lock
file beside the workbook, and both say in it who has it open.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Lock:
    program: str  # Excel, LibreOffice
    file: Path  # the lock file beside the workbook
    user: str | None  # who has it open, when the lock file says

    def sentence(self, workbook: Path) -> str:
        """'team.xlsx is open in LibreOffice by Dana Kim (there is a .~lock.team.xlsx# file beside it)'."""
        by = f" by {self.user}" if self.user else ""
        return f"{workbook.name} is open in {self.program}{by} (there is a {self.file.name} file beside it)"


def excel_lock_files(path: Path) -> list[Path]:
    """Excel's lock file: ~$ plus the name, with the first two characters dropped for a long name (team_emea.xlsx
    is locked by ~$am_emea.xlsx)."""
    names = ["~$" + path.name] + (["~$" + path.name[2:]] if len(path.stem) > 7 else [])
    return [path.with_name(n) for n in dict.fromkeys(names)]


def libreoffice_lock_file(path: Path) -> Path:
    return path.with_name(f".~lock.{path.name}#")


def open_elsewhere(path: Path) -> Lock | None:
    """The lock that says the workbook is open in Excel or LibreOffice, or None."""
    for lock in excel_lock_files(path):
        if lock.is_file():
            return Lock("Excel", lock, _excel_user(lock))
    lock = libreoffice_lock_file(path)
    if lock.is_file():
        return Lock("LibreOffice", lock, _libreoffice_user(lock))
    return None


def _read(lock: Path, size: int = 4096) -> bytes:
    try:
        with lock.open("rb") as fh:
            return fh.read(size)
    except OSError:
        return b""


def _excel_user(lock: Path) -> str | None:
    """Excel's ~$ file starts with the user's name: a length byte, the name in the ANSI code page (padded to 54
    bytes), then the same name in UTF-16 after a two-byte length."""
    data = _read(lock, 512)
    if data and 0 < data[0] <= 53 and len(data) > data[0]:
        name = data[1:1 + data[0]].decode("cp1252", "replace").strip()
        if name and name.isprintable():
            return name
    if len(data) >= 57:
        length = int.from_bytes(data[54:56], "little")
        name = data[56:56 + 2 * length].decode("utf-16-le", "replace").strip()
        if 0 < length <= 54 and name.isprintable():
            return name
    return None


def _libreoffice_user(lock: Path) -> str | None:
    """LibreOffice's lock file is one CSV line: the name set in Tools > Options > User Data, the system user name,
    the computer, the time, the user's profile folder; a comma inside a field is escaped with a backslash."""
    text = _read(lock).decode("utf-8", "replace").strip().rstrip(";")
    fields, field, escaped = [], "", False
    for ch in text:
        if escaped:
            field, escaped = field + ch, False
        elif ch == "\\":
            escaped = True
        elif ch == ",":
            fields.append(field)
            field = ""
        else:
            field += ch
    fields.append(field)
    name = next((f.strip() for f in fields[:2] if f.strip() and f.strip().isprintable()), None)
    return name
