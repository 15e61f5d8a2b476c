"""Damaged workbooks made on purpose: one maker per kind of damage, and a seeded mutator that mixes them.

Every maker takes a sound workbook and writes a damaged copy. The Tracking sheet is ``xl/worksheets/sheet1.xml`` in
the small book (see ``small_book``), which is what most makers edit.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl

from tests.conftest import TRACKING_HEADER, default_ranges_rows

Parts = list[tuple[str, bytes]]
TRACKING_PART = "xl/worksheets/sheet1.xml"
WB_RELS = "xl/_rels/workbook.xml.rels"
SHARED_PART = "xl/sharedStrings.xml"
NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def small_book(path: Path, rows: int = 3) -> Path:
    """A sound tracking workbook: Tracking (dates styled as dates, numbers, text) and Ranges, with shared strings
    for the Rep names so that a shared-string index can be damaged."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tracking"
    ws.append(TRACKING_HEADER)
    for i in range(rows):
        ws.append([dt.date(2026, 11, 16) - dt.timedelta(weeks=i % 2), f"Rep {i // 2}", "East", "SDR", 60 + i,
                   120, 12, 4, 2, 1, 1, 900.5])
    rs = wb.create_sheet("Ranges")
    for row in default_ranges_rows():
        rs.append(row)
    wb.save(path)
    parts = read_parts(path)
    return write_parts(path, _with_shared_strings(parts))


def _with_shared_strings(parts: Parts) -> Parts:
    """Move the Tracking sheet's inline Rep names into a shared-string table, as Excel stores text."""
    names: list[str] = []

    def shared(m: re.Match[bytes]) -> bytes:
        names.append(m[2].decode())
        return m[1] + b' t="s"><v>' + str(len(names) - 1).encode() + b"</v></c>"

    out = [(n, re.sub(rb'(<c r="B\d+")(?: s="\d+")? t="inlineStr"><is><t>([^<]*)</t></is></c>', shared, d)
            if n == TRACKING_PART else d) for n, d in parts]
    sst = (f'<sst xmlns="{NS_MAIN}" count="{len(names)}" uniqueCount="{len(names)}">'
           + "".join(f"<si><t>{n}</t></si>" for n in names) + "</sst>").encode()
    out.append((SHARED_PART, sst))
    out = edit(out, WB_RELS, lambda d: d.replace(b"</Relationships>", (
        f'<Relationship Id="rId99" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>").encode()))
    return edit(out, "[Content_Types].xml", lambda d: d.replace(b"</Types>", (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.sharedStrings+xml"/></Types>')))


def read_parts(path: Path) -> Parts:
    with zipfile.ZipFile(path) as zf:
        return [(i.filename, zf.read(i)) for i in zf.infolist()]


def write_parts(path: Path, parts: Parts, methods: dict[str, int] | None = None) -> Path:
    """Write parts in order; duplicates are kept (zipfile only warns), a method per part may be chosen."""
    import warnings

    with warnings.catch_warnings(), zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        warnings.simplefilter("ignore")
        for name, data in parts:
            zf.writestr(name, data, compress_type=(methods or {}).get(name, zipfile.ZIP_DEFLATED))
    return path


def edit(parts: Parts, name: str, change: Callable[[bytes], bytes]) -> Parts:
    assert any(n == name for n, _ in parts), f"no part {name}: the case would test nothing"
    return [(n, change(d) if n == name else d) for n, d in parts]


def drop(parts: Parts, name: str) -> Parts:
    assert any(n == name for n, _ in parts), f"no part {name}"
    return [(n, d) for n, d in parts if n != name]


def _cell(parts: Parts, ref: str, new: bytes) -> Parts:
    """Replace the whole <c> element of one Tracking cell."""
    def change(d: bytes) -> bytes:
        out, n = re.subn(rb'<c r="' + ref.encode() + rb'"[^>]*?(?:/>|>.*?</c>)', new, d, count=1)
        assert n == 1, ref
        return out
    return edit(parts, TRACKING_PART, change)


def _sheet(parts: Parts, change: Callable[[bytes], bytes]) -> Parts:
    return edit(parts, TRACKING_PART, change)


def _cell_attr(value: bytes) -> Callable[[Parts], Parts]:
    return lambda p: _sheet(p, lambda d: d.replace(b'<c r="E2"', b'<c r="' + value + b'"', 1))


def _row_attr(value: bytes) -> Callable[[Parts], Parts]:
    return lambda p: _sheet(p, lambda d: d.replace(b'<row r="2"', b'<row r="' + value + b'"', 1))


def _number(text: bytes) -> Callable[[Parts], Parts]:
    return lambda p: _cell(p, "E2", b'<c r="E2" t="n"><v>' + text + b"</v></c>")


def _date_serial(text: bytes) -> Callable[[Parts], Parts]:
    return lambda p: _sheet(p, lambda d: re.sub(rb'(<c r="A2" s="\d+" t="n"><v>)[^<]*', rb"\g<1>" + text, d,
                                                 count=1))


def _sheet_kind(kind: str) -> Callable[[Parts], Parts]:
    """Tracking stored as a chart sheet or a dialog sheet, as Excel stores them (own folder, own relationship)."""
    def change(parts: Parts) -> Parts:
        body = (f'<{kind} xmlns="{NS_MAIN}" xmlns:r="{REL}"><sheetPr/><sheetViews><sheetView workbookViewId="0"/>'
                f"</sheetViews></{kind}>").encode()
        folder = "chartsheets" if kind == "chartsheet" else "dialogsheets"
        parts = [(f"xl/{folder}/sheet1.xml" if n == TRACKING_PART else n, body if n == TRACKING_PART else d)
                 for n, d in parts]
        parts = edit(parts, WB_RELS, lambda d: d.replace(b"/worksheet\" Target=\"/xl/worksheets/sheet1.xml",
                                                         f'/{kind}" Target="/xl/{folder}/sheet1.xml'.encode()))
        ct = "chartsheet" if kind == "chartsheet" else "dialogsheet"
        return edit(parts, "[Content_Types].xml", lambda d: d.replace(
            b'/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml'
            b'.worksheet+xml"', f'/xl/{folder}/sheet1.xml" ContentType="application/vnd.openxmlformats-'
                                f'officedocument.spreadsheetml.{ct}+xml"'.encode()))
    return change


def _nested(depth: int) -> Callable[[Parts], Parts]:
    return lambda p: _cell(p, "C2", b'<c r="C2" t="inlineStr"><is><t>East</t></is>' + b"<x>" * depth
                           + b"</x>" * depth + b"</c>")


def _wide(columns: int) -> Callable[[Parts], Parts]:
    from salesmetrics_xl.core.problems import column_letter

    def change(d: bytes) -> bytes:
        first = len(TRACKING_HEADER) + 1  # past the declared columns (Days Worked, Start Date, FTE included)
        extra = b"".join(f'<c r="{column_letter(c)}2" t="n"><v>{c}</v></c>'.encode() for c in range(first, columns + 1))
        return d.replace(b'<v>900.5</v></c></row>', b"<v>900.5</v></c>" + extra + b"</row>", 1)
    return lambda p: _sheet(p, change)


def _rels_target(target: bytes | None) -> Callable[[Parts], Parts]:
    def change(d: bytes) -> bytes:
        new = b"" if target is None else b'Target="' + target + b'"'
        return d.replace(b'Target="/xl/worksheets/sheet1.xml"', new, 1)
    return lambda p: edit(p, WB_RELS, change)


# Damage to the parts (zip entries and their XML): name -> change.
PART_DAMAGE: dict[str, Callable[[Parts], Parts]] = {
    "zip-duplicate-name": lambda p: [*p, (TRACKING_PART, b"<worksheet/>")],
    "no-content-types": lambda p: drop(p, "[Content_Types].xml"),
    "no-workbook-rels": lambda p: drop(p, WB_RELS),
    "rels-target-missing": _rels_target(None),
    "rels-target-climbs": _rels_target(b"../../../../etc/passwd"),
    "rels-target-absent-part": _rels_target(b"worksheets/nowhere.xml"),
    "styles-not-stylesheet": lambda p: edit(p, "xl/styles.xml", lambda d: f'<fonts xmlns="{NS_MAIN}"/>'.encode()),
    "styles-not-xml": lambda p: edit(p, "xl/styles.xml", lambda d: b"<styleSheet"),
    "workbook-not-xml": lambda p: edit(p, "xl/workbook.xml", lambda d: d[: len(d) // 2]),
    "sheet-not-xml": lambda p: _sheet(p, lambda d: d[: len(d) // 2]),
    "cell-ref-abc": _cell_attr(b"abc"),
    "cell-ref-hex": _cell_attr(b"0x1F"),
    "cell-ref-empty": _cell_attr(b""),
    "cell-ref-lower": _cell_attr(b"e2"),
    "cell-ref-zero-row": _cell_attr(b"E0"),
    "cell-ref-beyond-columns": _cell_attr(b"XFE2"),
    "cell-ref-beyond-rows": _cell_attr(b"E1048577"),
    "cell-ref-far": _cell_attr(b"ZZZZ99999999"),
    "cell-ref-last-cell-in-row-2": _cell_attr(b"XFD1048576"),
    "cell-ref-digits": _cell_attr(b"E" + b"9" * 10_000),
    "row-abc": _row_attr(b"abc"),
    "row-hex": _row_attr(b"0x1F"),
    "row-fraction": _row_attr(b"1.5"),
    "row-nan": _row_attr(b"NaN"),
    "row-infinity": _row_attr(b"Infinity"),
    "row-negative": _row_attr(b"-3"),
    "row-digits": _row_attr(b"9" * 10_000),
    "row-beyond": _row_attr(b"1048577"),
    "shared-string-out-of-range": lambda p: _cell(p, "B2", b'<c r="B2" t="s"><v>99999</v></c>'),
    "shared-string-not-a-number": lambda p: _cell(p, "B2", b'<c r="B2" t="s"><v>first</v></c>'),
    "number-1e400": _number(b"1e400"),
    "number-infinity": _number(b"Infinity"),
    "number-nan": _number(b"NaN"),
    "number-text": _number(b"twelve"),
    "date-cell-not-a-date": lambda p: _cell(p, "A2", b'<c r="A2" t="d"><v>next tuesday</v></c>'),
    "date-serial-far": _date_serial(b"1e12"),
    "date-serial-negative": _date_serial(b"-1e9"),
    "date-serial-after-9999": _date_serial(b"2958466"),
    "bool-cell-not-bool": lambda p: _cell(p, "E2", b'<c r="E2" t="b"><v>maybe</v></c>'),
    "error-cell-unknown": lambda p: _cell(p, "E2", b'<c r="E2" t="e"><v>#WHAT?</v></c>'),
    "unknown-cell-type": lambda p: _cell(p, "E2", b'<c r="E2" t="zz"><v>60</v></c>'),
    "style-index-out-of-range": lambda p: _cell(p, "E2", b'<c r="E2" s="9999" t="n"><v>60</v></c>'),
    "style-index-not-a-number": lambda p: _cell(p, "E2", b'<c r="E2" s="abc" t="n"><v>60</v></c>'),
    "tracking-chartsheet": _sheet_kind("chartsheet"),
    "tracking-dialogsheet": _sheet_kind("dialogsheet"),
    "nested-xml": _nested(100_000),
    "wide-16384-columns": _wide(16_384),
    "dimension-huge": lambda p: _sheet(p, lambda d: re.sub(rb'<dimension ref="[^"]*"',
                                                           b'<dimension ref="A1:XFD1048576"', d)),
}


def _patch_crc(data: bytearray, name: bytes) -> bytearray:
    """Change the stored CRC of one entry, in its local header and in the central directory."""
    at = 0
    while (at := data.find(b"PK\x03\x04", at)) >= 0:
        n = struct.unpack_from("<H", data, at + 26)[0]
        if data[at + 30:at + 30 + n] == name:
            data[at + 14] ^= 0xFF
        at += 4
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) >= 0:
        n = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46:at + 46 + n] == name:
            data[at + 16] ^= 0xFF
        at += 4
    return data


def _central(data: bytearray) -> int:
    return struct.unpack_from("<I", data, data.rfind(b"PK\x05\x06") + 16)[0]


# Damage to the zip container itself: name -> change of the packed bytes (or of how the parts are packed).
def zip_crc(path: Path) -> Path:
    path.write_bytes(bytes(_patch_crc(bytearray(path.read_bytes()), TRACKING_PART.encode())))
    return path


def zip_bzip2(path: Path) -> Path:
    return write_parts(path, read_parts(path), {TRACKING_PART: zipfile.ZIP_BZIP2})


def zip_lzma(path: Path) -> Path:
    return write_parts(path, read_parts(path), {TRACKING_PART: zipfile.ZIP_LZMA})


def zip_stored(path: Path) -> Path:
    return write_parts(path, read_parts(path), dict.fromkeys((n for n, _ in read_parts(path)), zipfile.ZIP_STORED))


def zip_flip_central(offset: int, mask: int = 0xFF) -> Callable[[Path], Path]:
    """Flip one byte at ``offset`` into the central directory (names, sizes, offsets, methods...)."""
    def change(path: Path) -> Path:
        data = bytearray(path.read_bytes())
        data[_central(data) + offset] ^= mask
        path.write_bytes(bytes(data))
        return path
    return change


ZIP_DAMAGE: dict[str, Callable[[Path], Path]] = {
    "zip-crc-mismatch": zip_crc,
    "zip-bzip2": zip_bzip2,
    "zip-lzma": zip_lzma,
    "zip-stored": zip_stored,
    **{f"zip-central-flip-{o}": zip_flip_central(o) for o in (10, 11, 16, 20, 24, 28, 42, 43, 46, 47)},
}


def make_case(name: str, path: Path) -> Path:
    """One named damaged workbook."""
    small_book(path)
    if name in ZIP_DAMAGE:
        return ZIP_DAMAGE[name](path)
    return write_parts(path, PART_DAMAGE[name](read_parts(path)))


CASE_NAMES = [*PART_DAMAGE, *ZIP_DAMAGE]


# The mutator: random damage, seeded, layered (zip, XML, cell values, sheet kinds).
VALUES = [b"1e400", b"-1e400", b"NaN", b"Infinity", b"-0", b"", b" ", b"1e12", b"-1e9", b"9" * 400, b"0x10", b"1,5",
          b"&amp;", b"\xc3\x28", b"60.000000000000001", b"2958466", b"-693594", b"#DIV/0!", b"TRUE", b"2026-13-45"]
TYPES = [b"n", b"s", b"str", b"inlineStr", b"b", b"e", b"d", b"zz", b""]
REFS = [b"A0", b"XFD1", b"XFE1", b"A1048576", b"A1048577", b"ZZZZ99999999", b"abc", b"1A", b"$A$1", b"A-1", b"",
        b"AAAA1", b"E" + b"9" * 40]


def _xml_mutation(rng: random.Random, data: bytes) -> bytes:
    cells = [m.span() for m in re.finditer(rb"<c [^>]*>", data)]
    kind = rng.randrange(9)
    if kind == 0 and cells:  # a cell's value
        start, end = rng.choice(cells)
        close = data.find(b"</c>", end)
        if close < 0:
            return data
        ref = re.search(rb'r="([^"]*)"', data[start:end])
        r = ref[0] if ref else b""
        return data[:start] + b"<c " + r + b' t="' + rng.choice(TYPES) + b'"><v>' + rng.choice(VALUES) \
            + b"</v></c>" + data[close + 4:]
    if kind == 1 and cells:  # a cell's reference
        start, end = rng.choice(cells)
        return data[:start] + re.sub(rb'r="[^"]*"', b'r="' + rng.choice(REFS) + b'"', data[start:end], count=1) \
            + data[end:]
    if kind == 2:  # a row's number
        rows = [m.span(1) for m in re.finditer(rb'<row r="([^"]*)"', data)]
        if rows:
            start, end = rng.choice(rows)
            return data[:start] + rng.choice([b"0", b"-1", b"1.5", b"abc", b"1048577", b"9" * 30, b""]) + data[end:]
    if kind == 3:  # truncate the XML
        return data[: rng.randrange(len(data) + 1)]
    if kind == 4:  # flip a byte
        at = rng.randrange(len(data))
        return data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1:]
    if kind == 5:  # delete a tag
        tags = [m.span() for m in re.finditer(rb"<[^>]*>", data)]
        if tags:
            start, end = rng.choice(tags)
            return data[:start] + data[end:]
    if kind == 6:  # nest deeply
        at = data.find(b"</sheetData>")
        depth = rng.choice([100, 5_000, 200_000])
        return data[:at] + b"<row>" + b"<x>" * depth + b"</x>" * depth + b"</row>" + data[at:] if at >= 0 else data
    if kind == 7 and cells:  # the style index of a cell
        start, end = rng.choice(cells)
        return data[:start] + data[start:end].replace(b"<c ", b'<c s="' + rng.choice(
            [b"0", b"1", b"999", b"-1", b"x"]) + b'" ', 1) + data[end:]
    if kind == 8:  # many columns in one row
        n = rng.choice([50, 2_000, 20_000])
        from salesmetrics_xl.core.problems import column_letter
        extra = b"".join(f'<c r="{column_letter(c)}3"><v>1</v></c>'.encode() for c in range(13, 13 + n))
        at = data.find(b"</row>", data.find(b'<row r="3"'))
        return data[:at] + extra + data[at:] if b'<row r="3"' in data and at >= 0 else data
    return data


def mutate(rng: random.Random, source: Path, target: Path) -> str:
    """Write a randomly damaged copy of ``source`` to ``target``; returns what was done (for the failure message)."""
    parts = read_parts(source)
    layer = rng.choice(["zip", "xml", "xml", "cells", "cells", "named", "kind"])
    if layer == "named":
        name = rng.choice(list(PART_DAMAGE))
        if name.startswith("wide") or name == "nested-xml":
            name = "cell-ref-far"
        try:
            write_parts(target, PART_DAMAGE[name](parts))
        except AssertionError:  # the part this damage edits was already changed
            write_parts(target, parts)
        return f"named {name}"
    if layer == "kind":
        name = rng.choice(["tracking-chartsheet", "tracking-dialogsheet", "no-content-types", "rels-target-climbs"])
        write_parts(target, PART_DAMAGE[name](parts))
        return f"kind {name}"
    if layer == "zip":
        write_parts(target, parts)
        data = bytearray(target.read_bytes())
        how = rng.choice(["central", "local", "crc", "method", "truncate"])
        if how == "central":
            data[_central(data) + rng.randrange(len(data) - _central(data))] ^= 1 << rng.randrange(8)
        elif how == "local":
            data[rng.randrange(_central(data))] ^= 1 << rng.randrange(8)
        elif how == "crc":
            data = _patch_crc(data, rng.choice([n for n, _ in parts]).encode())
        elif how == "method":
            name = rng.choice([n for n, _ in parts])
            write_parts(target, parts, {name: rng.choice([zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA, zipfile.ZIP_STORED])})
            return f"zip method of {name}"
        else:
            data = data[: rng.randrange(len(data))]
        target.write_bytes(bytes(data))
        return f"zip {how}"
    names = [n for n, _ in parts if n.endswith((".xml", ".rels"))]
    name = TRACKING_PART if layer == "cells" or rng.random() < 0.5 else rng.choice(names)
    steps = rng.randrange(1, 4)
    out = dict(parts)
    for _ in range(steps):
        out[name] = _xml_mutation(rng, out[name]) if layer == "xml" or name != TRACKING_PART else \
            _xml_mutation(_Only(rng, (0, 1, 2, 7)), out[name])
    write_parts(target, list(out.items()))
    return f"{layer} {name} x{steps}"


class _Only(random.Random):
    """A random source whose first choice of mutation kind is limited to some kinds (cell-level damage)."""

    def __init__(self, rng: random.Random, kinds: tuple[int, ...]):
        super().__init__(rng.random())
        self.kinds = kinds
        self.first = True

    def randrange(self, *args: int) -> int:  # type: ignore[override]
        if self.first:
            self.first = False
            return self.choice(self.kinds)
        return super().randrange(*args)


# ---- the fuzz run: each mutated workbook through the code paths of check, summary, baseline and batch -------------

READERS = ("columnar", "calamine", "openpyxl")
COMMANDS = ("summary", "baseline", "batch")


def _baseline(path: Path, out: Path) -> Path | None:
    """`salesmetrics baseline --write --apply`, through the library; None where the command says bad input."""
    from salesmetrics_xl.baseline import baseline_workbook
    from salesmetrics_xl.core.problems import WorkbookError

    try:
        report = baseline_workbook(path, write=True, apply=True, out=out, as_of=dt.date(2026, 11, 23),
                                   now=dt.datetime(2026, 11, 23, 9))
    except WorkbookError as exc:
        if exc.problem.code == "bad-input":  # no complete week to build from: the command exits 2
            return None
        raise
    return Path(report.output) if report.output else None


def _opens(path: Path) -> bool:
    try:
        openpyxl.load_workbook(path).close()
    except Exception:
        return False
    return True


def _output_opens(source: Path, out: Path) -> list[str]:
    """The output opens in openpyxl. When the input itself does not (damage our readers tolerate, in a part the
    writer copies byte for byte), every part the writer changed or added must at least be well-formed XML."""
    from defusedxml import ElementTree

    if _opens(out):
        return []
    if _opens(source):
        return [f"the output does not open in openpyxl, though the input does: {out.name}"]
    before = dict(read_parts(source))
    bad = []
    for name, data in read_parts(out):
        if before.get(name) != data and name.endswith((".xml", ".rels")):
            try:
                ElementTree.fromstring(data)
            except Exception as exc:
                bad.append(f"{name}: {exc}")
    return [f"parts we wrote are not well-formed: {bad}"] if bad else []


def fuzz_case(i: int, seed: int, folder: Path) -> dict[str, object]:
    """Make case i, run it, and say what went wrong (an empty list of failures when nothing did)."""
    import hashlib
    import os
    import time

    from salesmetrics_xl.batch import summarise_one
    from salesmetrics_xl.check import check_workbook
    from salesmetrics_xl.core.problems import WorkbookError
    from salesmetrics_xl.summarise import summarise_workbook

    rng = random.Random(seed * 1_000_003 + i)
    case = folder / f"case{i}"
    case.mkdir()
    sound = small_book(case / "sound.xlsx", rows=rng.choice([3, 40]))
    path = case / "team.xlsx"
    what = mutate(rng, sound, path)
    sound.unlink()
    reader, command = READERS[i % 3], COMMANDS[(i // 3) % 3]
    os.environ["SALESMETRICS_READER"] = reader
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    failures: list[str] = []
    outcome = "refused"
    start = time.perf_counter()
    try:
        record = check_workbook(path)
        out = case / "out.xlsx"
        if command == "summary":
            summarise_workbook(path, out=out, today=dt.date(2026, 11, 23))
        elif command == "baseline":
            out = _baseline(path, out) or out
        else:
            result = summarise_one(str(path), None, str(case), False, "native")
            if result.status == "unreadable" and any("unexpected error" in p for p in result.problems):
                failures.append(f"batch: {result.problems}")
            out = Path(result.output) if result.output else out
        if out.exists():
            outcome = "written"
            failures += _output_opens(path, out)
        elif record.exit_code != 2:
            outcome = "read"
    except WorkbookError:
        pass
    except BaseException as exc:  # anything else is what this test is for
        import traceback

        failures.append("".join(traceback.format_exception(exc))[-2000:])
    seconds = time.perf_counter() - start
    if hashlib.sha256(path.read_bytes()).hexdigest() != before:
        failures.append("the input changed")
    left = sorted(p.name for p in case.iterdir() if p.name not in ("team.xlsx", "out.xlsx", "team.summary.xlsx"))
    if left:
        failures.append(f"files left behind: {left}")
    return {"i": i, "what": what, "reader": reader, "command": command, "outcome": outcome,
            "seconds": round(seconds, 3), "failures": failures}


def main() -> None:
    """python -m tests.hostile_files FOLDER SEED COUNT: one JSON line per case, flushed before the next starts,
    so a process that dies (an abort) leaves the case that killed it on record."""
    import json
    import shutil
    import sys

    folder, seed, count = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    for i in range(count):
        print(json.dumps({"start": i}), flush=True)
        print(json.dumps(fuzz_case(i, seed, folder)), flush=True)
        shutil.rmtree(folder / f"case{i}", ignore_errors=True)


if __name__ == "__main__":
    main()


# ---- the reading corpus (issue 29): spellings a parser reads alike, data that ends early, values at the edges ----
# Each case is made from a sound small book (``rows`` data rows); the differential test in test_hostile.py runs it
# through check and summary with every reader, in child processes under a memory cap, and holds them to one answer.

RANGES_PART = "xl/worksheets/sheet2.xml"


def _serial(day: dt.date) -> bytes:
    return str((day - dt.date(1899, 12, 30)).days).encode()


def _spelled(old: bytes, new: bytes, part: str = TRACKING_PART) -> Callable[[Parts], Parts]:
    """One byte-level respelling of the first ``old`` in a sheet part (it must be there)."""
    def change(d: bytes) -> bytes:
        assert old in d, old
        return d.replace(old, new, 1)
    return lambda p: edit(p, part, change)


def _prefixed(far: bool) -> Callable[[Parts], Parts]:
    """Every tag of the Tracking sheet under the prefix x: (bound to SpreadsheetML), optionally with E2 moved
    to XFD1048576: a parser and a native reader both see cells; a byte scan for '<c ' sees none."""
    def change(d: bytes) -> bytes:
        d = re.sub(rb"<(/?)([A-Za-z]\w*)", rb"<\1x:\2", d)
        d = d.replace(b'xmlns="', b'xmlns:x="', 1)
        return d.replace(b'<x:c r="E2"', b'<x:c r="XFD1048576"', 1) if far else d
    return lambda p: _sheet(p, change)


def _wide_quoted(columns: int) -> Callable[[Parts], Parts]:
    """Row 2 carries cells out to ``columns``, their references in single quotes."""
    from salesmetrics_xl.core.problems import column_letter

    def change(d: bytes) -> bytes:
        first = len(TRACKING_HEADER) + 1
        extra = b"".join(f"<c r='{column_letter(c)}2' t='n'><v>{c}</v></c>".encode()
                         for c in range(first, columns + 1))
        return re.sub(rb"(<row r=\"2\"[^>]*>.*?)(</row>)", lambda m: m[1] + extra + m[2], d, count=1, flags=re.S)
    return lambda p: _sheet(p, change)


def _stray(ref: str, value: bytes) -> Callable[[Parts], Parts]:
    """A value in a row of its own far below the data."""
    row = re.sub(r"[A-Z]", "", ref)
    cell = (f'<c r="{ref}" t="inlineStr"><is><t>'.encode() + value + b"</t></is></c>") if not value.isdigit() \
        else f'<c r="{ref}"><v>{value.decode()}</v></c>'.encode()
    return lambda p: _sheet(p, lambda d: d.replace(b"</sheetData>", f'<row r="{row}">'.encode() + cell
                                                   + b"</row></sheetData>", 1))


def _rows(order: str) -> Callable[[Parts], Parts]:
    """The data rows (row 2 on) stored reversed or shuffled, each keeping its own r."""
    def change(d: bytes) -> bytes:
        rows = re.findall(rb"<row r=\"\d+\".*?</row>", d, flags=re.S)
        head, body = rows[0], rows[1:]
        if order == "reversed":
            body = body[::-1]
        else:
            random.Random(29).shuffle(body)
        start, end = d.index(rows[0]), d.index(b"</sheetData>")
        return d[:start] + head + b"".join(body) + d[end:]
    return lambda p: _sheet(p, change)


def _row_twice(p: Parts) -> Parts:
    """Row 3 stored a second time, with another rep in it: two rows numbered 3."""
    def change(d: bytes) -> bytes:
        row = re.search(rb"<row r=\"3\".*?</row>", d, flags=re.S)[0]
        again = re.sub(rb'<c r="B3" t="s"><v>\d+</v></c>', b'<c r="B3" t="inlineStr"><is><t>Zed</t></is></c>', row)
        assert again != row
        return d.replace(b"</sheetData>", again + b"</sheetData>", 1)
    return _sheet(p, change)


def _cells_reversed(p: Parts) -> Parts:
    """The cells of each data row stored right to left, each keeping its own r."""
    def row(m: re.Match[bytes]) -> bytes:
        cells = re.findall(rb"<c r=.*?(?:/>|</c>)", m[2], flags=re.S)
        return m[1] + b"".join(reversed(cells)) + b"</row>"
    return _sheet(p, lambda d: re.sub(rb'(<row r="(?:[2-9]|\d\d+)"[^>]*>)(.*?)</row>', row, d, flags=re.S))


def _cell_twice(p: Parts) -> Parts:
    """E2 stored twice in its row, the later copy with another number."""
    return _sheet(p, lambda d: re.sub(rb'(<c r="E2"[^>]*>.*?</c>)', rb'\1<c r="E2" t="n"><v>77</v></c>', d,
                                      count=1))


def _no_references(p: Parts) -> Parts:
    """Rows and cells without r (allowed: each is the one after the previous)."""
    return _sheet(p, lambda d: re.sub(rb'(<(?:c|row)) r="[A-Z]*\d+"', rb"\1", d))


def _week(value: bytes, text: bool = False) -> Callable[[Parts], Parts]:
    if text:
        return lambda p: _cell(p, "A2", b'<c r="A2" t="inlineStr"><is><t>' + value + b"</t></is></c>")
    return lambda p: _sheet(p, lambda d: re.sub(rb'(<c r="A2" s="\d+" t="n"><v>)[^<]*', rb"\g<1>" + value, d,
                                                 count=1))


def _error(ref: str, value: str, spelling: str = 't="e"') -> Callable[[Parts], Parts]:
    return lambda p: _cell(p, ref, f'<c r="{ref}" {spelling}><v>{value}</v></c>'.encode())


def _errors(values: list[str]) -> Callable[[Parts], Parts]:
    def change(p: Parts) -> Parts:
        for ref, value in zip(("E2", "F2", "G2", "H2", "I2", "J2", "K2", "L2"), values, strict=False):
            p = _error(ref, value)(p)
        return p
    return change


def _defined(name: str, refers: str) -> Callable[[Parts], Parts]:
    return lambda p: edit(p, "xl/workbook.xml", lambda d: d.replace(
        b"<definedNames />", f'<definedNames><definedName name="{name}">{refers}</definedName></definedNames>'
        .encode(), 1))


def _role(length: int) -> Callable[[Parts], Parts]:
    role = ("Senior enterprise account executive " * (length // 36 + 1))[:length].encode()
    return _spelled(b'<c r="I2"', b'<c r="H2" t="inlineStr"><is><t>' + role + b'</t></is></c><c r="I2"',
                    RANGES_PART)


# name -> (change, data rows of the sound book, exit codes check may give, a problem code that must be among
# its problems (or None), slow). Exit 2 is bad input with a sentence; 0 and 1 are read.
READING_CASES: dict[str, tuple[Callable[[Parts], Parts], int, set[int], str | None, bool]] = {
    "cell-newline-far": (_spelled(b'<c r="E2"', b'<c\n r="XFD1048576"'), 3, {2}, "too-wide", False),
    "cell-tab-far": (_spelled(b'<c r="E2"', b'<c\tr="XFD1048576"'), 3, {2}, "too-wide", False),
    "cell-single-quote-far": (_spelled(b'<c r="E2"', b"<c r='XFD1048576'"), 3, {2}, "too-wide", False),
    "cell-spaced-equals-far": (_spelled(b'<c r="E2"', b'<c r = "XFD1048576"'), 3, {2}, "too-wide", False),
    "cell-charref-far": (_spelled(b'<c r="E2"', b'<c r="&#88;FD1"'), 3, {2}, "too-wide", False),
    "cell-charref-beyond-grid": (_spelled(b'<c r="E2"', b'<c r="E&#49;048577"'), 3, {2}, "damaged", False),
    "cell-charref-plain": (_spelled(b'<c r="E2"', b'<c r="&#69;2"'), 3, {0, 1}, None, False),
    "row-single-quote-far": (_spelled(b'<row r="2"', b"<row r='1048577'"), 3, {2}, "damaged", False),
    "prefixed-far": (_prefixed(True), 3, {2}, "too-wide", False),
    "prefixed-plain": (_prefixed(False), 3, {0, 1}, None, False),
    "comment-hides-far-cell": (_spelled(b"<sheetData>", b'<sheetData><!-- <c r="XFD1048576"/> -->'), 3, {0, 1},
                               None, False),
    # a processing instruction is text to a parser, tags to a byte scan (sheet_guard.markup)
    "instruction-hides-far-cell": (_spelled(b"<sheetData>", b'<sheetData><?x <c r="XFD1048576"/> ?>'), 3, {0, 1},
                                   None, False),
    "instruction-hides-error-cell": (_spelled(b"<sheetData>", b'<sheetData><?x <c r="E2" t="e"><v>#DIV/0!</v></c>'
                                                             b" ?>"), 3, {0, 1}, None, False),
    # "<t " 150,000 times and no '>': each search for a shared string's tag ran on to the comment's end (time growing
    # with the square: hours), as a scan of the sheet for "<v " inside an instruction did
    "shared-strings-comment-of-tags": (_spelled(b"<si>", b"<!--" + b"<t " * 150_000 + b"--><si>", SHARED_PART), 3,
                                       {0, 1}, None, False),
    "ranges-newline-far": (_spelled(b'<c r="E2"', b'<c\n r="XFD1048576"', RANGES_PART), 3, {2}, "too-wide", False),
    "ranges-single-quote-far": (_spelled(b'<c r="E2"', b"<c r='XFD1048576'", RANGES_PART), 3, {2}, "too-wide",
                                False),
    "wide-1500-single-quotes": (_wide_quoted(1_500), 3, {2}, "too-wide", False),
    "wide-16000-single-quotes": (_wide_quoted(16_000), 3, {2}, "too-wide", False),
    "stray-note-last-row": (_stray("P1048576", b"call Ann back"), 3, {1}, "stray-cell", True),
    "stray-number-m500000": (_stray("M500000", b"42"), 73, {1}, "stray-cell", True),
    "rows-reversed": (_rows("reversed"), 12, {0, 1}, None, False),
    "rows-shuffled": (_rows("shuffled"), 12, {0, 1}, None, False),
    "row-stored-twice": (_row_twice, 6, {1}, "repeated-row", False),
    "no-references": (_no_references, 6, {0, 1}, None, False),
    "cells-reversed-in-rows": (_cells_reversed, 6, {0, 1}, None, False),
    "cell-stored-twice": (_cell_twice, 3, {0, 1}, None, False),
    "week-3026": (_week(_serial(dt.date(3026, 1, 5))), 3, {2}, "bad-week", False),
    "week-9999": (_week(_serial(dt.date(9999, 12, 27))), 3, {2}, "bad-week", False),
    "week-1700": (_week(b"1700-03-01", text=True), 3, {2}, "bad-week", False),
    "week-1850": (_week(b"1850-W10", text=True), 3, {2}, "bad-week", False),
    "week-number-2026": (_week(b"2026", text=False), 3, {2}, "bad-week", False),
    "error-single-quotes": (_error("E2", "#N/A", "t='e'"), 3, {1}, "error-value", False),
    "error-newline": (_error("E2", "#N/A", 't\n=\n"e"'), 3, {1}, "error-value", False),
    "error-spaces": (_error("E2", "#DIV/0!", 't = "e"'), 3, {1}, "error-value", False),
    "error-charref-type": (_error("E2", "#REF!", 't="&#101;"'), 3, {1}, "error-value", False),
    "errors-seven-kinds": (_errors(["#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BUSY!",
                                    "#BLOCKED!"]), 3, {1}, "error-value", False),
    "error-in-rep": (_error("B2", "#N/A"), 3, {2}, "missing-rep", False),  # names nobody: the row is skipped
    "error-in-team": (_error("C3", "#REF!"), 3, {1}, "error-value", False),
    "defined-tracking-ref-error": (_defined("salesmetrics_tracking", "#REF!"), 3, {1}, "bad-name", False),
    "defined-ranges-ref-error": (_defined("salesmetrics_ranges", "#REF!"), 3, {1}, "bad-name", False),
    "dials-1e27": (_number(b"1e27"), 3, {2}, "bad-number", False),
    "dials-1e308": (_number(b"1e308"), 3, {2}, "bad-number", False),
    "dials-denormal": (_number(b"5e-324"), 3, {2}, "bad-number", False),
    "mrr-1e308": (lambda p: _cell(p, "L2", b'<c r="L2" t="n"><v>1e308</v></c>'), 3, {2}, "bad-number", False),
    "number-charref-infinity": (_number(b"&#105;nf"), 3, {2}, "damaged", False),
    "date-in-dials": (lambda p: _cell(p, "E2", b'<c r="E2" s="1" t="n"><v>46027</v></c>'), 3, {0, 1, 2}, None,
                      False),
    "role-350": (_role(350), 3, {2}, "bad-range", False),
    "role-5000": (_role(5_000), 3, {2}, "bad-range", False),
}


def make_reading_case(name: str, path: Path) -> Path:
    change, rows, *_ = READING_CASES[name]
    small_book(path, rows=rows)
    return write_parts(path, change(read_parts(path)))
