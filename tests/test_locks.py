"""A workbook open in Excel or LibreOffice is never written: the lock file beside it says which program, and who."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from salesmetrics_xl.locks import open_elsewhere
from tests.conftest import EXAMPLE


def excel_lock(path: Path, user: str) -> Path:
    """Excel's ~$ owner file as Excel writes it: the name's length, the name in ANSI padded to 54 bytes, then the
    name again in UTF-16 after its length; 165 bytes in all."""
    ansi = user.encode("cp1252")
    data = bytes([len(ansi)]) + ansi.ljust(53, b" ")
    data += len(user).to_bytes(2, "little") + user.encode("utf-16-le")
    lock = path.with_name("~$" + (path.name[2:] if len(path.stem) > 7 else path.name))
    lock.write_bytes(data.ljust(165, b"\x20"))
    return lock


def libreoffice_lock(path: Path, name: str = "", system_user: str = "dkim") -> Path:
    """LibreOffice's .~lock.NAME# file: name (Tools > Options > User Data), system user, host, time, profile."""
    lock = path.with_name(f".~lock.{path.name}#")
    lock.write_text(f"{name},{system_user},dk-laptop,04.12.2026 09:12,file:///home/dkim/.config/libreoffice/4;",
                    encoding="utf-8")
    return lock


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "salesmetrics_xl", *args], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "COLUMNS": "200"})


def test_each_program_and_user_is_read_from_its_lock_file(tmp_path):
    book = tmp_path / "team.xlsx"
    book.write_bytes(b"")
    assert open_elsewhere(book) is None
    lock = libreoffice_lock(book, name="Dana Kim")
    found = open_elsewhere(book)
    assert (found.program, found.user, found.file) == ("LibreOffice", "Dana Kim", lock)
    assert found.sentence(book) == "team.xlsx is open in LibreOffice by Dana Kim (there is a .~lock.team.xlsx# file " \
                                   "beside it)"
    libreoffice_lock(book, name="")  # no name set in LibreOffice: the system user name
    assert open_elsewhere(book).user == "dkim"
    libreoffice_lock(book, name="Kim\\, Dana")  # a comma in the name is escaped
    assert open_elsewhere(book).user == "Kim, Dana"
    lock.write_text("", encoding="utf-8")  # an empty lock file still says it is open
    assert open_elsewhere(book).sentence(book) == "team.xlsx is open in LibreOffice (there is a .~lock.team.xlsx# " \
                                                  "file beside it)"
    lock.unlink()
    long = tmp_path / "team_emea_q4.xlsx"  # Excel drops the first two characters of a long name
    long.write_bytes(b"")
    excel_lock(long, "Jörg Weiß")
    found = open_elsewhere(long)
    assert (found.program, found.user, found.file.name) == ("Excel", "Jörg Weiß", "~$am_emea_q4.xlsx")


@pytest.mark.parametrize("program", ["Excel", "LibreOffice"])
def test_summary_and_baseline_in_place_refuse_a_workbook_open_elsewhere_and_leave_it_whole(tmp_path, program):
    book = tmp_path / "team.xlsx"
    book.write_bytes(EXAMPLE.read_bytes())
    before = book.read_bytes()
    if program == "Excel":
        excel_lock(book, "Dana Kim")
    else:
        libreoffice_lock(book, name="Dana Kim")
    for args in (("summary", "--in-place"), ("baseline", "--write", "--in-place")):
        result = run(*args, str(book))
        said = " ".join(result.stderr.split())
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert f"team.xlsx is open in {program} by Dana Kim" in said and "close it there first" in said, said
    assert book.read_bytes() == before


def test_batch_in_place_reports_a_locked_workbook_as_could_not_write_and_goes_on(tmp_path):
    (tmp_path / "teams").mkdir()
    locked, free = tmp_path / "teams" / "emea.xlsx", tmp_path / "teams" / "amer.xlsx"
    for book in (locked, free):
        book.write_bytes(EXAMPLE.read_bytes())
    libreoffice_lock(locked, system_user="dkim")
    before = locked.read_bytes()
    result = run("batch", "--json", "--in-place", str(tmp_path / "teams"))
    records = {Path(r["file"]).name: r for r in json.loads(result.stdout)["results"]}
    assert result.returncode == 2 and set(records) == {"emea.xlsx", "amer.xlsx"}  # the lock file is no workbook
    assert records["emea.xlsx"]["status"] == "could not write"
    assert "emea.xlsx is open in LibreOffice by dkim" in records["emea.xlsx"]["problems"][0]
    assert records["amer.xlsx"]["status"] in ("ok", "warnings") and locked.read_bytes() == before


def test_an_earlier_output_open_in_excel_is_not_replaced(tmp_path):
    book = tmp_path / "team.xlsx"
    book.write_bytes(EXAMPLE.read_bytes())
    assert run("summary", str(book)).returncode in (0, 1)
    output = tmp_path / "team.summary.xlsx"
    written = output.read_bytes()
    excel_lock(output, "Dana Kim")
    result = run("summary", str(book))
    assert result.returncode == 2 and output.read_bytes() == written
    assert "team.summary.xlsx is open in Excel by Dana Kim" in " ".join(result.stderr.split())
