"""Where the writer writes, and how: refusals, in place, the atomic publish, and nothing damaged published."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import openpyxl
import pytest

from salesmetrics_xl.core.problems import WorkbookError
from salesmetrics_xl.layouts.sheet import (
    Fill,
    WorkbookLayout,
)
from salesmetrics_xl.summarise import summarise_workbook
from salesmetrics_xl.xlsx import (
    output_path,
    styles,
    user_sheet,
    worksheet,
    write_workbook,
)
from salesmetrics_xl.xlsx import writer as writer_module
from tests.conftest import EXAMPLE
from tests.xlsx.books import fidelity_book, summary_layout


def test_refuses_in_place_while_excel_has_the_file_open(tmp_path):
    source = fidelity_book(tmp_path, "team.xlsx")
    (tmp_path / "~$team.xlsx").write_bytes(b"owner")
    before = source.read_bytes()
    with pytest.raises(WorkbookError, match="open in Excel"):
        write_workbook(source, summary_layout(), source)
    assert source.read_bytes() == before


def test_in_place_when_asked(tmp_path):
    source = fidelity_book(tmp_path, "team.xlsx")
    write_workbook(source, summary_layout(), output_path(source, None, in_place=True))
    assert "Weekly Summary" in openpyxl.load_workbook(source).sheetnames
    assert [p.name for p in tmp_path.iterdir() if "smxl" in p.name] == []


def test_a_failed_write_leaves_the_original_and_no_temporary(tmp_path, monkeypatch):
    source = fidelity_book(tmp_path, "team.xlsx")
    before = source.read_bytes()

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(WorkbookError, match="No space left on device; the original is unchanged"):
        write_workbook(source, summary_layout(), source)
    assert source.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["logo.png", "team.xlsx"]


def test_killing_the_writer_mid_write_leaves_the_original_intact(tmp_path):
    source = fidelity_book(tmp_path, "team.xlsx", rows=2000)
    before = source.read_bytes()
    signal_file = tmp_path / "mid-write"
    script = textwrap.dedent(f"""
        import time
        from pathlib import Path
        import salesmetrics_xl.xlsx.writer as w
        from tests.xlsx.books import summary_layout
        real = w.stream_edit
        def slow(src, dst, edit, styles, *rest):
            dst.write(src.read(4096))          # part of the new file is on disk ...
            Path({str(signal_file)!r}).touch()
            time.sleep(60)                     # ... when the writer is killed
        w.stream_edit = slow
        w.write_workbook(Path({str(source)!r}), summary_layout(), Path({str(source)!r}))
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=Path(__file__).parents[2])
    deadline = time.monotonic() + 600  # a hang guard only, generous for a loaded machine
    while not signal_file.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert signal_file.exists(), "the writer never reached the middle of its write"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert source.read_bytes() == before
    leftovers = [p for p in tmp_path.iterdir() if p.name.endswith(".smxl-tmp")]
    assert len(leftovers) == 1  # the killed writer's partial file, never renamed over the original
    write_workbook(source, summary_layout(), source)  # the next run clears it
    assert [p for p in tmp_path.iterdir() if p.name.endswith(".smxl-tmp")] == []
    assert "Weekly Summary" in openpyxl.load_workbook(source).sheetnames


# ---- nothing damaged is published: every part we wrote is parsed before the rename ---------------------------

def _break_styles(monkeypatch):
    real = styles.Styles.xml
    monkeypatch.setattr(styles.Styles, "xml", lambda self: (real(self) or "") + "<broken")


def _break_generated_sheet(monkeypatch):
    real = worksheet.cell_xml
    monkeypatch.setattr(worksheet, "cell_xml", lambda *a: real(*a).replace("</c>", "", 1))  # a cell never closes


def _break_generated_template(monkeypatch):
    real = worksheet.text
    monkeypatch.setattr(worksheet, "text", lambda value: real(value).replace("&lt;", "<"))  # escaping forgotten


def _filled_layout() -> WorkbookLayout:
    """A sheet whose formula is filled down 5,000 rows from one template, and nothing else with a '<' in it."""
    layout = summary_layout()
    layout.sheets[0].conditional_formats.clear()
    layout.sheets[0].fills.append(Fill("F3:F5002", 'IF(B3<1,"low","")'))
    return layout


def _break_edited_sheet(monkeypatch):
    real = user_sheet.edit_tail
    monkeypatch.setattr(user_sheet, "edit_tail", lambda *a: real(*a).replace("</conditionalFormatting>", "", 1))


@pytest.mark.parametrize(("breaker", "part", "layout"), [
    (_break_styles, "xl/styles.xml", summary_layout),
    (_break_generated_sheet, "xl/worksheets/sheet3.xml", summary_layout),
    (_break_generated_template, "xl/worksheets/sheet3.xml", _filled_layout),
    (_break_edited_sheet, "xl/worksheets/sheet1.xml", summary_layout)])
@pytest.mark.parametrize("threaded", [False, True], ids=["in-turn", "threaded"])
def test_a_damaged_part_is_caught_before_the_rename(tmp_path, monkeypatch, breaker, part, layout, threaded):
    if threaded:  # as for a big workbook: every part prepared on a worker thread
        monkeypatch.setattr(writer_module, "THREADED", 0)
    source = fidelity_book(tmp_path, "team.xlsx")
    before = source.read_bytes()
    write_workbook(source, layout(), tmp_path / "unbroken.xlsx").unlink()  # the same layout, unbroken, is fine
    breaker(monkeypatch)
    with pytest.raises(WorkbookError) as caught:
        write_workbook(source, layout(), source)
    problem = caught.value.problem
    assert problem.code == "invalid-output"
    assert problem.message.startswith("could not write a valid workbook; the original is untouched")
    assert part in problem.message and "not well-formed" in problem.message
    assert source.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["logo.png", "team.xlsx"]  # no temporary
    with pytest.raises(WorkbookError):
        write_workbook(source, layout(), tmp_path / "new.xlsx")
    assert not (tmp_path / "new.xlsx").exists()


def test_the_same_workbook_comes_out_with_worker_threads_or_without(tmp_path, monkeypatch):
    """A small workbook's parts are prepared in turn, a big one's on worker threads: the file is the same."""
    source = fidelity_book(tmp_path, "team.xlsx")
    layout = _filled_layout()
    assert worksheet.sheet_size(layout.sheets[0]) < writer_module.THREADED  # prepared in turn
    in_turn = write_workbook(source, layout, tmp_path / "in-turn.xlsx").read_bytes()
    monkeypatch.setattr(writer_module, "THREADED", 0)
    assert write_workbook(source, _filled_layout(), tmp_path / "threaded.xlsx").read_bytes() == in_turn


_BROKEN_CLI = textwrap.dedent("""
    import sys
    import salesmetrics_xl.xlsx.styles as w
    real = w.Styles.xml
    w.Styles.xml = lambda self: (real(self) or "") + "<broken"   # a deliberately damaged styles.xml
    from salesmetrics_xl.cli import app
    app(sys.argv[1:], prog_name="salesmetrics")
""")


def test_summary_and_batch_refuse_to_publish_a_damaged_workbook(tmp_path):
    from tests.conftest import EXAMPLE
    book = tmp_path / "team.xlsx"
    book.write_bytes(EXAMPLE.read_bytes())
    before = book.read_bytes()
    root = Path(__file__).parents[2]
    summary = subprocess.run([sys.executable, "-c", _BROKEN_CLI, "summary", str(book), "--in-place"],
                             capture_output=True, text=True, cwd=root, timeout=300)
    assert summary.returncode == 2, summary.stdout + summary.stderr
    assert "could not write a valid workbook; the original is untouched" in " ".join(summary.stderr.split())
    batch = subprocess.run([sys.executable, "-c", _BROKEN_CLI, "batch", str(book), "--in-place", "--jobs", "1",
                            "--json"], capture_output=True, text=True, cwd=root, timeout=300)
    assert batch.returncode == 2, batch.stdout + batch.stderr
    assert "could not write a valid workbook; the original is untouched" in batch.stdout
    assert book.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["team.xlsx"]


def test_a_new_file_follows_the_umask_and_in_place_keeps_the_mode(tmp_path):
    source = fidelity_book(tmp_path, "team.xlsx")
    old = os.umask(0o022)
    try:
        fresh = write_workbook(source, summary_layout(), tmp_path / "new.xlsx")
        assert fresh.stat().st_mode & 0o777 == 0o644  # readable by colleagues, as any new file here
        os.umask(0o027)
        assert write_workbook(source, summary_layout(), tmp_path / "new2.xlsx").stat().st_mode & 0o777 == 0o640
        source.chmod(0o660)
        write_workbook(source, summary_layout(), source)
        assert source.stat().st_mode & 0o777 == 0o660
    finally:
        os.umask(old)


def test_out_that_is_the_input_or_a_folder_is_refused(tmp_path):
    source = fidelity_book(tmp_path, "team.xlsx")
    for same in (source, tmp_path / "." / "team.xlsx", Path(os.path.relpath(source))):
        with pytest.raises(WorkbookError, match="--in-place"):
            output_path(source, same, in_place=False)
    with pytest.raises(WorkbookError, match="is a folder"):
        output_path(source, tmp_path, in_place=False)
    with pytest.raises(WorkbookError, match="does not exist"):
        output_path(source, tmp_path / "nowhere" / "x.xlsx", in_place=False)


def test_an_output_keeps_its_sources_kind_of_workbook(tmp_path):
    """Excel refuses a macro-enabled package named .xlsx (and a plain one named .xlsm): such an --out is refused
    with the name to use, before anything is written."""
    macros = fidelity_book(tmp_path, "macros.xlsm")
    with pytest.raises(WorkbookError, match=r"an .xlsx cannot hold its macros\); name it out.xlsm"):
        output_path(macros, tmp_path / "out.xlsx", in_place=False)
    with pytest.raises(WorkbookError, match=r"name it out.xlsx"):
        output_path(EXAMPLE, tmp_path / "out.xlsm", in_place=False)
    assert output_path(macros, tmp_path / "out.XLSM", in_place=False) == tmp_path / "out.XLSM"
    assert output_path(macros, None, in_place=False).name == "macros.summary.xlsm"


def test_in_place_through_a_link_writes_the_workbook_and_keeps_the_link(tmp_path):
    real = tmp_path / "real.xlsx"
    real.write_bytes(EXAMPLE.read_bytes())
    link = tmp_path / "link.xlsx"
    link.symlink_to(real)
    run = summarise_workbook(link, in_place=True)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert run.output == real and "Weekly Summary" in openpyxl.load_workbook(real).sheetnames
