"""What we write stays bounded whatever the input: quoted user text, cells, formulas, strict JSON, a batch that
survives a crashing file, CSV reports Excel will not run, and output sized by the data.

Every hostile case runs the real command line in a child process under a memory cap, and asserts sizes and
shapes (bytes of JSON, characters in a line, a cell or a formula), never times.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from salesmetrics_xl.core.text import CELL_LIMIT, FORMULA_LIMIT, MESSAGE_LIMIT
from tests.conftest import EXAMPLE, ROOT, TRACKING_HEADER, default_ranges_rows
from tests.hostile_files import TRACKING_PART, edit, read_parts, small_book, write_parts

CAP = 3 * 1024**3  # address space a command may take: a quadratic blow-up or a bomb fails it, not passes
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _capped(limit: int = CAP):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return apply


def cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, limit: int = CAP
        ) -> subprocess.CompletedProcess:
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "salesmetrics_xl", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=environ, timeout=900, preexec_fn=_capped(limit))


def strict(text: str) -> object:
    """JSON as any parser but Python's reads it: Infinity, -Infinity and NaN are errors."""
    def refuse(name: str) -> None:
        raise ValueError(f"{name} is not JSON")
    return json.loads(text, parse_constant=refuse)


def _no_python_words(text: str) -> None:
    for word in ("Traceback", "BrokenProcessPool", "StopIteration", "Error:"):
        assert word not in text, text[-2000:]


# ---- quoted user text -------------------------------------------------------------------------------------------

def long_name_book(path: Path, length: int) -> Path:
    """A small book whose first rep has a name of ``length`` characters (in the shared strings, as Excel stores
    it), with a gap, an impossible funnel and the name typed into a number column too, so messages quote it."""
    small_book(path, rows=6)
    name = "Y" * length
    parts = read_parts(path)
    parts = edit(parts, "xl/sharedStrings.xml", lambda d: d.replace(b"<t>Rep 0</t>", f"<t>{name}</t>".encode()))
    parts = edit(parts, TRACKING_PART, lambda d: re.sub(
        rb'<c r="E3"[^>]*?(?:/>|>.*?</c>)', f'<c r="E3" t="inlineStr"><is><t>{name}</t></is></c>'.encode(), d,
        count=1))
    return write_parts(path, parts)


@pytest.mark.parametrize("length", [40_000, pytest.param(5_000_000, marks=pytest.mark.slow)])
def test_a_huge_rep_name_is_quoted_short_everywhere(tmp_path, length):
    book = long_name_book(tmp_path / "long.xlsx", length)
    before = book.read_bytes()
    checked = cli("check", str(book))
    assert checked.returncode == 2, checked.stderr  # the name in a number column is an error with its cell
    assert max(len(line) for line in checked.stdout.splitlines()) < 400
    assert "…" in checked.stdout
    as_json = cli("check", "--json", str(book))
    record = strict(as_json.stdout)[0]
    assert len(as_json.stdout) < 20_000  # the messages quote the name, 60 characters of it
    assert all(len(p["message"]) <= MESSAGE_LIMIT for p in record["problems"])
    assert any("YYYY…" in p["message"] and p["cell"] == "E3" for p in record["problems"])
    out = tmp_path / "long.summary.xlsx"
    summary = cli("summary", str(book), "--out", str(out))
    assert summary.returncode == 2, summary.stderr
    _no_python_words(summary.stdout + summary.stderr)
    assert max(len(line) for line in summary.stdout.splitlines()) < 400
    assert book.read_bytes() == before
    assert_written_cells_fit(out)


def assert_written_cells_fit(path: Path, sheets: tuple[str, ...] = ("Weekly Summary", "Evaluation")) -> None:
    """No cell of our sheets over Excel's 32,767 characters and no formula over 8,192 (conditional formats and
    validations on every sheet included), read from the file's XML as Excel reads it."""
    book = openpyxl.load_workbook(path)
    for ws in book.worksheets:
        if ws.title in sheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str):
                        limit = FORMULA_LIMIT + 1 if cell.data_type == "f" else CELL_LIMIT
                        assert len(cell.value) <= limit, (ws.title, cell.coordinate, len(cell.value))
        for rng in ws.conditional_formatting:
            for rule in rng.rules:
                for formula in rule.formula or []:
                    assert len(formula) <= FORMULA_LIMIT, (ws.title, str(rng.sqref), len(formula))
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                for formula in re.findall(rb"<f[^>]*>([^<]*)</f>", zf.read(name)):
                    assert len(formula) <= FORMULA_LIMIT * 2, (name, len(formula))  # XML-escaped: & is 5 bytes


def test_a_cell_text_over_excels_limit_is_cut_in_the_cell_saying_so(tmp_path):
    from salesmetrics_xl.layouts.sheet import SheetLayout

    sheet = SheetLayout("Weekly Summary")
    sheet.put(1, 1, "Z" * 40_000)
    sheet.put(1, 2, "😀" * 20_000)  # 40,000 UTF-16 units: Excel counts them
    sheet.put(1, 3, "fits")
    text = sheet.cells[(1, 1)].value
    assert isinstance(text, str) and len(text) == CELL_LIMIT and text.endswith("more than a cell holds)")
    assert "40,000 characters" in text
    emoji = sheet.cells[(1, 2)].value
    assert isinstance(emoji, str) and len(emoji.encode("utf-16-le")) // 2 <= CELL_LIMIT
    assert sheet.cells[(1, 3)].value == "fits"


# ---- team-level text ----------------------------------------------------------------------------------------------

def wide_book(path: Path, reps: int, weeks: int = 2) -> Path:
    from benchmarks.common import tracking_workbook

    return tracking_workbook(path, reps * weeks, reps=reps)


def test_no_team_cell_lists_every_rep(tmp_path):
    book = wide_book(tmp_path / "wide.xlsx", 400)
    out = tmp_path / "wide.summary.xlsx"
    result = cli("summary", str(book), "--out", str(out), "--json")
    assert result.returncode in (0, 1), result.stderr
    data = strict(result.stdout)
    diagnosis = data["summary"]["team_diagnosis"]
    assert "more" in diagnosis and len(diagnosis) < 2_000, diagnosis
    assert all(isinstance(r["top_reps"], int) for r in data["summary"]["roles"])  # a count, not 100 names each
    assert all(isinstance(r["funnel"].get("top_reps", 0), int) for r in data["summary"]["reps"] if "funnel" in r)
    ws = openpyxl.load_workbook(out, read_only=True)["Weekly Summary"]
    longest = max(len(v) for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str))
    assert longest < 2_000


def _json_bytes(tmp_path: Path, reps: int) -> tuple[int, dict]:
    book = wide_book(tmp_path / f"wide{reps}.xlsx", reps)
    result = cli("summary", str(book), "--out", str(tmp_path / f"wide{reps}.summary.xlsx"), "--json")
    assert result.returncode in (0, 1), result.stderr[-2000:]
    return len(result.stdout.encode()), strict(result.stdout)  # type: ignore[return-value]


@pytest.mark.slow
def test_summary_json_grows_linearly_with_the_reps(tmp_path):
    small, _ = _json_bytes(tmp_path, 500)
    large, data = _json_bytes(tmp_path, 5_000)
    assert len(data["summary"]["reps"]) == 5_000
    assert large / 5_000 < 1.15 * small / 500  # bytes per rep level: nothing listed per rep for every rep


@pytest.mark.slow
def test_ten_thousand_reps_give_bounded_json(tmp_path):
    """Issue #28: 10,000 reps in one week print at most 20 MB of JSON (75.6 MB before each fact was said once),
    and every rep is in it with its decision."""
    book = wide_book(tmp_path / "wide.xlsx", 10_000)
    result = cli("summary", str(book), "--out", str(tmp_path / "wide.summary.xlsx"), "--json")
    assert result.returncode in (0, 1), result.stderr[-2000:]
    size = len(result.stdout.encode())
    assert size <= 20_000_000, f"{size:,} bytes"
    data = strict(result.stdout)
    reps = data["summary"]["reps"]
    assert len(reps) == 10_000 and len({r["rep"] for r in reps}) == 10_000
    assert all(r["verdict"] and len(r["values"]) == len(data["summary"]["metrics"]) for r in reps)
    assert len(data["summary"]["team_diagnosis"]) < 2_000


# ---- strict JSON ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mrr", [b"1e308", b"5e-324", b"1.7976931348623157e308"])
def test_json_is_strict_whatever_the_numbers(tmp_path, mrr):
    book = small_book(tmp_path / "edge.xlsx", rows=6)
    parts = edit(read_parts(book), TRACKING_PART, lambda d: re.sub(
        rb'(<c r="L[2-7]"[^>]*><v>)[^<]*', rb"\g<1>" + mrr, d))
    write_parts(book, parts)
    for args in (("check", "--json", str(book)),
                 ("summary", "--json", str(book), "--out", str(tmp_path / "edge.summary.xlsx")),
                 ("baseline", "--json", str(book)),
                 ("batch", "--json", str(book), "--out-dir", str(tmp_path / "out"), "--jobs", "1")):
        result = cli(*args)
        assert result.returncode in (0, 1, 2), result.stderr
        _no_python_words(result.stderr)
        assert "Infinity" not in result.stdout and "NaN" not in result.stdout
        strict(result.stdout)


def test_strict_json_turns_what_json_cannot_hold_into_null():
    from salesmetrics_xl.core.text import strict_json

    text = strict_json({"a": float("inf"), "b": [float("nan"), -float("inf"), 1e308 * 10], "c": 5e-324})
    assert strict(text) == {"a": None, "b": [None, None, None], "c": 5e-324}


# ---- batch: a crash costs one file -------------------------------------------------------------------------------

HOOK = '''
import os, signal
from pathlib import Path
_how = os.environ.get("SALESMETRICS_TEST_CRASH")
if _how:
    import salesmetrics_xl.summarise as _s
    _real = _s.summarise_workbook
    def _hostile(source, *args, **kwargs):
        name, kind = _how.split(":")
        if Path(source).name == name:
            os.abort() if kind == "abort" else os.kill(os.getpid(), signal.SIGKILL)
        return _real(source, *args, **kwargs)
    _s.summarise_workbook = _hostile
'''


def _crash_hook(folder: Path) -> Path:
    """A sitecustomize that makes one named file's worker really abort (SIGABRT, exit 134) or be killed (SIGKILL,
    what the out-of-memory killer sends), in the batch's own worker processes: nothing of the batch is mocked."""
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(HOOK)
    return folder


@pytest.mark.parametrize(("kind", "jobs", "first"), [
    ("abort", 1, True), ("kill", 2, True),
    pytest.param("abort", 2, False, marks=pytest.mark.slow), pytest.param("kill", 1, False, marks=pytest.mark.slow)])
def test_a_crashing_worker_costs_its_own_file_alone(tmp_path, kind, jobs, first):
    folder = tmp_path / "teams"
    folder.mkdir()
    crash = "a_crash.xlsx" if first else "z_crash.xlsx"
    for name in ("b_team.xlsx", "c_team.xlsx", "d_team.xlsx", crash):
        (folder / name).write_bytes(EXAMPLE.read_bytes())
    hook = _crash_hook(tmp_path / "hook")
    report = tmp_path / "report.json"
    result = cli("batch", str(folder), "--out-dir", str(tmp_path / "out"), "--jobs", str(jobs), "--json",
                 "--report", str(report),
                 env={"PYTHONPATH": f"{hook}{os.pathsep}{ROOT}", "SALESMETRICS_TEST_CRASH": f"{crash}:{kind}"})
    assert result.returncode == 2, result.stderr[-2000:]
    _no_python_words(result.stdout + result.stderr)
    data = strict(result.stdout)
    assert data["files"] == data["finished"] == 4
    by_name = {Path(r["file"]).name: r for r in data["results"]}
    bad = by_name[crash]
    assert bad["status"] == "unreadable" and len(bad["problems"]) == 1
    assert ("aborted (exit 134)" if kind == "abort" else "killed (exit 137)") in bad["problems"][0]
    assert "Nothing was written for this file" in bad["problems"][0]
    for name in ("b_team.xlsx", "c_team.xlsx", "d_team.xlsx"):
        assert by_name[name]["status"] == "warnings", by_name[name]
        assert Path(by_name[name]["output"]).is_file()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "b_team.summary.xlsx", "c_team.summary.xlsx", "d_team.summary.xlsx"]
    assert {Path(r["file"]).name for r in strict(report.read_text())} == set(by_name)


def _far_cell(path: Path) -> Path:
    """A real hostile file: a cell at XFD1048576 written with single-quoted attributes, which made the native
    reader ask for 512 GiB and abort the whole process (exit 134) before the guard knew that spelling."""
    small_book(path, rows=4)
    parts = edit(read_parts(path), TRACKING_PART, lambda d: d.replace(
        b"</sheetData>", b"<row r='1048576'><c r='XFD1048576' t='n'><v>1</v></c></row></sheetData>", 1))
    return write_parts(path, parts)


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_real_file_that_aborts_its_reader_costs_that_file_alone(tmp_path, jobs):
    folder = tmp_path / "teams"
    folder.mkdir()
    _far_cell(folder / "a_far.xlsx")
    for name in ("b_team.xlsx", "c_team.xlsx"):
        (folder / name).write_bytes(EXAMPLE.read_bytes())
    result = cli("batch", str(folder), "--out-dir", str(tmp_path / "out"), "--jobs", str(jobs), "--json",
                 env={"RUST_BACKTRACE": "0"})
    _no_python_words(result.stdout)
    data = strict(result.stdout)
    by_name = {Path(r["file"]).name: r for r in data["results"]}
    assert set(by_name) == {"a_far.xlsx", "b_team.xlsx", "c_team.xlsx"}
    assert by_name["b_team.xlsx"]["status"] == by_name["c_team.xlsx"]["status"] == "warnings"
    far = by_name["a_far.xlsx"]
    assert far["problems"] or far["status"] in ("ok", "warnings")  # refused with a sentence, or read (once guarded)
    assert all("a_far.xlsx" in p for p in far["problems"])


# ---- CSV reports that Excel opens ---------------------------------------------------------------------------------

def test_csv_report_fields_never_start_a_formula(tmp_path):
    folder = tmp_path / "teams"
    folder.mkdir()
    for name in ("=1+2.xlsx", "+cmd.xlsx", "-2+3.xlsx", "@x.xlsx"):
        (folder / name).write_bytes(EXAMPLE.read_bytes())
    (folder / "=HYPERLINK(1).xlsx").write_text("not a workbook")  # unreadable: its problem starts with its name
    report = tmp_path / "report.csv"
    result = cli("batch", ".", "--report", str(report), "--jobs", "1", cwd=folder)
    assert result.returncode == 2, result.stderr
    text = report.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "file" and len(rows) == 6
    fields = [field for row in rows[1:] for field in row]
    assert not [f for f in fields if f.startswith(FORMULA_START)]
    neutralised = [f for f in fields if f.startswith("'")]
    assert {f for f in neutralised if f.endswith(".xlsx")} >= {"'=1+2.xlsx", "'+cmd.xlsx", "'-2+3.xlsx", "'@x.xlsx",
                                                               "'=HYPERLINK(1).xlsx"}
    assert any(f.startswith("'=HYPERLINK(1).xlsx: ") for f in neutralised)  # the problem of the unreadable one
    for field in neutralised:  # each also quoted in the file, as OWASP advises
        assert '"' + field.replace('"', '""') + '"' in text
    # read back as a report of ours: a later run may replace it without --force
    from salesmetrics_xl.batch import is_report

    assert is_report(report)


def test_inert_leaves_our_numbers_and_plain_text_alone():
    from salesmetrics_xl.batch import inert

    assert inert("=1+2") == "'=1+2" and inert("\tx") == "'\tx" and inert("\rx") == "'\rx"
    assert inert("-3") == "'-3" and inert("@a") == "'@a" and inert("+a") == "'+a"
    assert inert("team.xlsx") == "team.xlsx" and inert(-3) == -3 and inert(None) is None and inert("") == ""


# ---- formulas under Excel's limit, and LibreOffice agreeing with the core ------------------------------------------

METRICS_WITH_ROLES = [("Dials", "activity"), ("Emails", "activity"), ("Conversations", "activity"),
                      ("Meetings Booked", "activity"), ("SQLs", "outcome"), ("Opportunities", "outcome"),
                      ("Deals Won", "outcome"), ("New MRR", "outcome"), ("Connect Rate", "quality"),
                      ("Meeting Rate", "quality")]


def many_roles_book(path: Path, roles: int, rows: int = 240, seed: int = 29) -> Path:
    """``roles`` roles, each with its own weekly range for ten metrics (5,000 Ranges rows for 500), a general range
    for each, one Role of 300 characters (no formula can hold it as text), and Tracking rows whose Role is one of
    them, spelt with other case and spaces, or unknown."""
    import random

    from tests.conftest import RANGES_HEADER

    rng = random.Random(seed)
    names = [f"Role {n}" for n in range(roles - 1)] + ["L" * 300]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tracking"
    ws.append(TRACKING_HEADER)
    for n in range(rows):
        week = dt.date(2026, 11, 16) - dt.timedelta(weeks=n % 3)
        role = rng.choice([*names[:20], names[-1], "Nobody", None, f"  {names[rng.randrange(roles)].lower()} "])
        values = [rng.choice([None, 0, rng.randint(0, 150)]) for _ in range(7)] + [rng.randint(0, 9000)]
        record = dict(zip(TRACKING_HEADER, [week, f"Rep {n // 3}", "East", role, *values], strict=False))
        ws.append([record.get(h) for h in TRACKING_HEADER])
    rs = wb.create_sheet("Ranges")
    rs.append(RANGES_HEADER)

    def bounds(metric: str) -> tuple[object, object]:
        if metric.endswith("Rate"):
            low = round(rng.uniform(0.05, 0.4), 2)
            return rng.choice([low, None]), rng.choice([round(low + 0.2, 2), None])
        top = 9000 if metric == "New MRR" else 150
        low = rng.randint(0, top // 2)
        return rng.choice([low, low, None]), rng.choice([low + rng.randint(0, top // 2), None])

    for metric, category in METRICS_WITH_ROLES:
        record = dict(zip(RANGES_HEADER, [metric, category, None, "week", *bounds(metric)], strict=False))
        rs.append([record.get(h) for h in RANGES_HEADER])
        for role in names:
            record = dict(zip(RANGES_HEADER, [metric, category, None, "week", *bounds(metric)], strict=False))
            record["Role"] = role
            rs.append([record.get(h) for h in RANGES_HEADER])
    wb.save(path)
    return path


def test_many_roles_give_formulas_excel_can_hold(tmp_path):
    from salesmetrics_xl.summarise import summarise_workbook

    book = many_roles_book(tmp_path / "roles.xlsx", 500)
    run = summarise_workbook(book, out=tmp_path / "roles.summary.xlsx")
    assert_written_cells_fit(run.output)
    ws = openpyxl.load_workbook(run.output)["Evaluation"]
    header = [c.value for c in ws[2]]
    assert "Role" in header and "Metric (role ranges)" in header  # the look-up table is there, on our sheet
    assert max(len(c.value) for c in ws[3] if isinstance(c.value, str)) < 3_000  # whatever the number of roles


@pytest.mark.slow
def test_libreoffice_agrees_with_the_core_on_looked_up_role_ranges(tmp_path):
    from salesmetrics_xl.core.workbook import EVALUATION_SHEET
    from salesmetrics_xl.summarise import summarise_workbook
    from tests.layouts.books import TODAY, python_statuses
    from tests.libreoffice import SOFFICE, convert

    if SOFFICE is None:
        pytest.skip("LibreOffice is not installed")
    book = many_roles_book(tmp_path / "roles.xlsx", 500)
    out = summarise_workbook(book, out=tmp_path / "roles.summary.xlsx", today=TODAY).output
    assert_written_cells_fit(out)
    (converted,) = convert([out], tmp_path / "lo")
    expected = python_statuses(book)
    rows = list(openpyxl.load_workbook(converted, read_only=True, data_only=True)[EVALUATION_SHEET].iter_rows(
        min_row=2, values_only=True))
    header = rows[0]
    metrics = [h for h in header[2:2 + len(METRICS_WITH_ROLES) + 4] if h in {m for row in expected.values()
                                                                            for m in row}]
    compared, found = 0, set()
    for offset, values in enumerate(rows[1:]):
        if (tracking_row := 2 + offset) not in expected:
            continue
        for metric in metrics:
            got = values[header.index(metric)]
            assert got == expected[tracking_row][metric], (tracking_row, metric, got)
            compared += 1
            found.add(got)
    assert compared >= 240 * 10 and {"BELOW", "IN RANGE", "ABOVE", "NO DATA"} <= found


# ---- 5,000 ranges -------------------------------------------------------------------------------------------------

def custom_ranges_book(path: Path, metrics: int) -> Path:
    """A small team with ``metrics`` ranges of its own (ratios of two Tracking columns), as a Ranges sheet grows
    when every manager adds their own."""
    from tests.conftest import RANGES_HEADER

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tracking"
    ws.append(TRACKING_HEADER)
    for w in range(8):
        for r in range(6):
            record = dict(zip(TRACKING_HEADER, [dt.date(2026, 9, 28) + dt.timedelta(weeks=w), f"Rep {r}", "East",
                                                "SDR", 60 + r, 120, 12 + r, 4, 2, 3, 1, 900], strict=False))
            ws.append([record.get(h) for h in TRACKING_HEADER])
    rs = wb.create_sheet("Ranges")
    for row in default_ranges_rows():
        rs.append(row)
    pairs = [("SQLs", "Dials"), ("Meetings Booked", "Conversations"), ("Deals Won", "Opportunities")]
    for n in range(metrics):
        record = dict(zip(RANGES_HEADER, [f"Custom {n}", "quality", " / ".join(pairs[n % 3]), "week", 0.01, 0.9],
                          strict=False))
        rs.append([record.get(h) for h in RANGES_HEADER])
    rs.append(["Nonsense metric", "activity", None, "week", 1, 2])  # unknown: its message lists what is known
    wb.save(path)
    return path


@pytest.mark.slow
def test_five_thousand_ranges_are_read_applied_and_reported_at_a_bounded_size(tmp_path):
    book = custom_ranges_book(tmp_path / "custom.xlsx", 5_000)
    result = cli("check", "--json", str(book))
    record = strict(result.stdout)[0]
    assert record["ranges"] == 5_000 + len(default_ranges_rows()) - 1
    unknown = next(p for p in record["problems"] if "Nonsense" in p["message"])
    assert len(unknown["message"]) <= MESSAGE_LIMIT and unknown["cell"] == f"A{5_000 + len(default_ranges_rows()) + 1}"
    assert len(result.stdout) < 20_000
    out = tmp_path / "custom.baseline.xlsx"
    applied = cli("baseline", str(book), "--apply", "--out", str(out), "--as-of", "2026-11-23")
    # the Nonsense row is an error in the data: said (the first five errors are printed), the rest applied
    assert applied.returncode == 2 and "Nonsense metric" in applied.stdout, applied.stderr[-2000:]
    ranges = openpyxl.load_workbook(out, read_only=True)["Ranges"]
    assert sum(1 for _ in ranges.iter_rows(min_row=2)) >= 5_000
    assert_written_cells_fit(out, sheets=("Suggested Ranges",))


def test_every_json_report_quotes_long_names_short(tmp_path):
    """#29: a rep, team and role name of 40,000 characters is quoted short (60 characters, with an ellipsis) in
    every --json report: the summary's reps, check's messages, batch's teams."""
    book = tmp_path / "names.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tracking"
    ws.append(TRACKING_HEADER)
    for week in (dt.date(2026, 11, 9), dt.date(2026, 11, 16)):
        for rep, team, role in (("Y" * 40_000, "T" * 40_000, "R" * 40_000), ("Ann", "East", "SDR")):
            ws.append([week, rep, team, role, 20, 40, 3, 1, 0, 0, 0, 0])  # below every range: messages quote it
    rs = wb.create_sheet("Ranges")
    for row in default_ranges_rows():
        rs.append(row)
    wb.save(book)
    summary = cli("summary", str(book), "--out", str(tmp_path / "names.summary.xlsx"), "--json")
    assert summary.returncode in (0, 1), summary.stderr[-2000:]
    assert len(summary.stdout) < 60_000
    record = strict(summary.stdout)["summary"]
    long = next(r for r in record["reps"] if r["rep"].startswith("Y"))
    assert long["rep"] == "Y" * 59 + "…" and long["team"] == "T" * 59 + "…" and long["role"] == "R" * 59 + "…"
    assert all(len(r.get("role") or "") <= 60 for r in record["roles"])
    checked = cli("check", "--json", str(book))
    assert len(checked.stdout) < 40_000
    messages = [p["message"] for p in strict(checked.stdout)[0]["problems"]]
    assert any(m.startswith("Y" * 59 + "…:") for m in messages) and all(len(m) <= MESSAGE_LIMIT for m in messages)
    batch = cli("batch", str(book), "--out-dir", str(tmp_path / "out"), "--jobs", "1", "--json")
    assert batch.returncode in (0, 1), batch.stderr[-2000:]
    assert len(batch.stdout) < 40_000
    assert {t["team"] for t in strict(batch.stdout)["teams"]} == {"T" * 59 + "…", "East"}
