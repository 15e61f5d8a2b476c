"""The lossless writer: put our sheets into a user's .xlsx/.xlsm without touching anything they made.

A plain load-and-save through a spreadsheet library drops pictures, shapes, sparklines, 2010 conditional
formats and rich text, and is slow and memory-hungry on big sheets. Instead we edit the package:

- our sheets (and their charts) are new parts, or replace the parts of the same-named sheet we made before;
- ``workbook.xml``, the relationships, the content types and ``styles.xml`` get additions spliced into the
  text, so they differ from the original only by what we add (and the counts that say how many there are);
- a user's sheet that gets our range checks is streamed, and only its small tail after ``</sheetData>`` is
  edited; our earlier additions are recognised by a marker and replaced, never duplicated;
- every other part is copied as its compressed bytes, never re-inflated;
- the result goes to a temporary file in the target folder, is fsynced, then atomically renamed.

This module decides what goes where; each kind of part is written by its own module of this package.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import posixpath
import threading
import zipfile
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path, PurePosixPath
from typing import IO

from defusedxml import ElementTree

from salesmetrics_xl.core.problems import Problem, Severity, WorkbookError
from salesmetrics_xl.layouts.sheet import (
    OWNED_NAME,
    SheetEdit,
    SheetLayout,
    WorkbookLayout,
    claim_name,
    owned_formula,
)
from salesmetrics_xl.locks import open_elsewhere
from salesmetrics_xl.ooxml import (
    TRANSITIONAL,
    PartNames,
    elements,
    flavour_of,
    free_id,
    is_utf16,
    key,
    rel_kind,
    rels_name,
    resolve,
    sheet_rid,
    sheets_of,
    utf8_xml,
    xml_text,
)
from salesmetrics_xl.package import damaged, explain
from salesmetrics_xl.xlsx.charts import CT_CHART, CT_DRAWING, chart_xml, drawing_xml
from salesmetrics_xl.xlsx.content_types import Override, updated_content_types
from salesmetrics_xl.xlsx.outputs import failure, publish, same_file
from salesmetrics_xl.xlsx.owned import our_sheets
from salesmetrics_xl.xlsx.relationships import (
    REL_CHART,
    REL_DRAWING,
    REL_SHARED_STRINGS,
    Relationship,
    entries_xml,
    parse_rels,
    rels_xml,
)
from salesmetrics_xl.xlsx.splice import UnwritablePartError, append_to_root
from salesmetrics_xl.xlsx.styles import CT_STYLES, Styles
from salesmetrics_xl.xlsx.user_sheet import Unselected, stream_edit, tab_selected
from salesmetrics_xl.xlsx.workbook_xml import (
    NewSheet,
    add_sheets,
    full_calc_on_load,
    open_on,
    print_titles,
    set_defined_name,
)
from salesmetrics_xl.xlsx.worksheet import CT_WORKSHEET, EXCEL_EPOCH, EXCEL_EPOCH_1904, sheet_size, sheet_xml
from salesmetrics_xl.xlsx.xmltext import XML_DECL, InvalidPartError, check_xml
from salesmetrics_xl.xlsx.zipcopy import Deflated, Inflated, append_raw, copy_raw, entry_info

THREADED = 8 << 20  # bytes of XML to prepare from which worker threads pay for themselves


class _Deferred:
    """A part prepared when the package asks for it, on the writing thread."""

    def __init__(self, prepare: Callable[..., tuple[zipfile.ZipInfo, list[bytes]]], *args: object):
        self.prepare, self.args = prepare, args

    def result(self) -> tuple[zipfile.ZipInfo, list[bytes]]:
        return self.prepare(*self.args)


class _AbandonedError(Exception):
    """A part given up half-prepared: the run ended (an error elsewhere, or the writer closed) before it was needed."""


class _Part(Deflated):
    """A part compressed into memory that stops at its next piece once the run is over."""

    def __init__(self, stop: threading.Event):
        super().__init__()
        self.stop = stop

    def write(self, data: bytes) -> int:
        if self.stop.is_set():
            raise _AbandonedError
        return super().write(data)


@dataclasses.dataclass
class _Place:
    """One of our sheets as begin() placed it: its layout (a stand-in until finish() brings a later one)."""

    original: str  # the name the layout gave it
    name: str  # the name it is written under (another when a user's sheet holds that one)
    part: str
    sheet: SheetLayout
    types: list[Override]  # the content types of its new parts
    active: bool  # the sheet the workbook opens on


@dataclasses.dataclass
class _Book:
    """What begin() learnt of workbook.xml and the package, for finish() to write the parts that list sheets."""

    workbook: str
    sheets: dict[str, tuple[str, str]]  # every sheet's folded name -> (sheet id, relationship id)
    owned: set[str]
    display: dict[str, str]
    placed: dict[str, str]
    new_rels: list[Relationship]
    new_sheets: list[NewSheet]
    new_types: list[Override]
    styles_name: str
    content_types: str
    content_types_name: str
    active: str | None


def _relative(part: str, folder: str) -> str:
    """The target that points from a part in ``folder`` to ``part``."""
    return posixpath.relpath(part, folder or ".")


class WorkbookWriter:
    """One run's edits to one package: ``apply`` a layout, then ``save`` it to a target (or the source)."""

    def __init__(self, source: Path):
        self.source = source
        self.zf = zipfile.ZipFile(source)
        self.infos = {i.filename: i for i in self.zf.infolist()}
        self.names = PartNames(self.infos)  # the user's parts, found as Excel finds them (any case)
        self.new: dict[str, bytes] = {}
        self.streams: dict[str, Iterator[bytes]] = {}  # generated sheets, written piece by piece
        self.sizes: dict[str, int] = {}  # about how much XML each generated sheet is
        self.removed: set[str] = set()
        self.edits: dict[str, SheetEdit] = {}
        self.ready: dict[str, Future] = {}  # big parts begin() started preparing on the pool
        self.pool: ThreadPoolExecutor | None = None
        self.stop = threading.Event()  # set when the run ends: a part still being prepared is given up
        self.unselect: set[str] = set()  # user's sheets whose tab was selected: ours is now, and only ours
        self.warnings: list[Problem] = []  # a user's sheet kept under its name, ours written under another
        self.epoch = EXCEL_EPOCH
        self.ns = TRANSITIONAL  # the book's flavour: Strict Open XML books get our parts in Strict words
        self.workbook_part = self._workbook_part()
        self.base = posixpath.dirname(self.workbook_part)  # where the workbook's targets start from ("xl")
        self.workbook_rels = self.actual(rels_name(self.workbook_part))

    # ---- the package's parts, as this run will leave them ------------------------------------------------

    def actual(self, name: str) -> str:
        """The part ``name`` names, spelt as the package (or this run) spells it; ``name`` for a new part."""
        k = key(name)
        for ours in (*self.new, *self.streams):
            if key(ours) == k:
                return ours
        return self.names.find(name) or name

    def read(self, name: str) -> str:
        """A part as text, whatever its encoding (UTF-8 or UTF-16), declared as UTF-8 for writing back."""
        name = self.actual(name)
        if name in self.new:
            return self.new[name].decode("utf-8")
        try:
            return xml_text(self.zf.read(name))
        except KeyError:
            raise UnwritablePartError(name, "is missing from the workbook") from None
        except UnicodeDecodeError:
            raise UnwritablePartError(name, "holds text that is not in the encoding its XML declares") from None

    def exists(self, name: str) -> bool:
        k = key(name)
        if any(key(r) == k for r in self.removed):
            return False
        return name in self.names or any(key(ours) == k for ours in (*self.new, *self.streams))

    def free_name(self, pattern: str) -> str:
        """The first free part name of the pattern, in the folder as the package spells it. Free means: no part
        of that name in any case, and no relationships part left for it either."""
        folder, stem = posixpath.split(pattern)
        pattern = posixpath.join(self.names.folder_spelling(folder) if folder else "", stem)
        n = 1
        while self.exists(pattern.format(n)) or self.exists(rels_name(pattern.format(n))):
            n += 1
        return pattern.format(n)

    def _workbook_part(self) -> str:
        """The workbook part, as the package's own relationships name it (xl/workbook.xml in every Excel file)."""
        root_rels = self.names.find("_rels/.rels")
        if root_rels is not None:
            for rel in parse_rels(xml_text(self.zf.read(root_rels))):
                part = resolve("", rel.part_target) if rel.part_target else None
                if rel_kind(rel.type) == "officeDocument" and part and part in self.names:
                    return self.actual(part)
        return self.actual("xl/workbook.xml")

    def _target(self, target: str, base: str | None = None) -> str:
        """A relationship target as the part it names, spelt as stored."""
        return self.actual(resolve(self.base if base is None else base, target) or "") if target else ""

    def _pointer(self, part: str) -> str:
        """The target the workbook's relationships give a new part: relative when it sits below the workbook."""
        return _relative(part, self.base) if key(part).startswith(key(self.here(""))) else "/" + part

    def here(self, name: str) -> str:
        """A part name in the workbook's folder (xl/ in every Excel file; the package root in a minimal one)."""
        return posixpath.join(self.base, name)

    # ---- what this run adds -------------------------------------------------------------------------------

    def apply(self, layout: WorkbookLayout) -> None:
        """All of ``layout`` at once: begin() with the sheet the workbook opens on left for finish(), as a job that
        hands that sheet over later does, so a package written in one step is the one written in two (the same
        style numbers, the same parts)."""
        later = [sheet for sheet in layout.sheets if sheet.name == layout.active]
        self.begin(layout, later=[sheet.name for sheet in later], prepare=False)
        self.finish(later)

    def begin(self, layout: WorkbookLayout, later: Collection[str] = (), prepare: bool = True) -> None:
        """Place every sheet of ``layout`` (in its order) and every edit, and start preparing the big parts that are
        already known on worker threads. ``layout.sheets`` lists every sheet in workbook order; one named in
        ``later`` only holds its place (its part, its sheet id, its tab), and its cells come with finish(). Their
        styles are registered after those of everything here. ``prepare``: start on the big parts now (else they
        are prepared as the package is written, on two threads: nothing is left to compute meanwhile)."""
        for name in self.infos:  # Excel reports such a package as damaged: we never write one
            if self.names.find(name) != name:
                raise UnwritablePartError(name, f"and {self.names.find(name)} are one part to Excel, which compares "
                                                "part names without regard to case")
        workbook = self.read(self.workbook_part)
        self.ns = ns = flavour_of(workbook)
        rels = parse_rels(self.read(self.workbook_rels))
        root = ElementTree.fromstring(workbook.encode("utf-8"))
        if any(p.get("date1904") in ("1", "true") for p in elements(root, "workbookPr")):
            self.epoch = EXCEL_EPOCH_1904
        sheets = {(s.get("name") or "").casefold(): (s.get("sheetId") or "", sheet_rid(s) or "")
                  for s in sheets_of(root)}
        targets = {r.id: self._target(r.part_target) for r in rels}
        shared = next((self._target(r.part_target) for r in rels if r.type == REL_SHARED_STRINGS), None)
        if not (shared and self.exists(shared)):
            shared = None
        owned = our_sheets(self.zf, root, rels, targets, self.exists, shared)
        display = {(s.get("name") or "").casefold(): s.get("name") or "" for s in sheets_of(root)}
        content_types_name = self.actual("[Content_Types].xml")
        content_types = self.read(content_types_name)
        new_rels: list[Relationship] = []
        new_sheets: list[NewSheet] = []
        new_types: list[Override] = []
        used_rids = {r.id for r in rels}

        def relate(kind: str, part: str) -> str:  # a new relationship of the workbook's, to a new part
            rid = free_id(used_rids)
            used_rids.add(rid)
            new_rels.append(Relationship(rid, ns.rel_type(kind), self._pointer(part)))
            return rid

        styles_rel = next((r.part_target for r in rels if rel_kind(r.type) == "styles"), None)
        styles_name = self._target(styles_rel) if styles_rel else None
        if styles_name is None or not self.exists(styles_name):  # completed with one: our sheets need styles
            styles_name = self.here("styles.xml")
            if self.exists(styles_name):  # a stray part of that name no relationship points at
                styles_name = self.free_name(self.here("styles{}.xml"))
            self.new[styles_name] = f'{XML_DECL}<styleSheet xmlns="{ns.main}"/>'.encode()
            relate("styles", styles_name)
            new_types.append(Override(styles_name, CT_STYLES))
            styles = Styles(self.new[styles_name].decode(), styles_name)
        else:
            styles = Styles(self.read(styles_name), styles_name)
        self.styles = styles

        placed: dict[str, str] = {}  # our sheet's name -> where it goes (a user's sheet may hold the name)
        self._places: list[_Place] = []
        for sheet in layout.sheets:
            original = sheet.name
            name = claim_name(sheet.name, lambda n: "ours" if n.casefold() in owned
                              else ("theirs" if n.casefold() in sheets else "free"))
            if name != sheet.name and name.casefold() not in owned:  # said once, when ours first goes there
                self.warnings.append(Problem(
                    severity=Severity.WARNING, code="sheet-kept", file=str(self.source), sheet=sheet.name,
                    message=f"the sheet '{sheet.name}' was not made by salesmetrics-xl, so it is kept as it is; "
                            f"ours is written as '{name}'"))
            if name != sheet.name:
                sheet = dataclasses.replace(sheet, name=name)
            placed[original] = name
            owned.add(name.casefold())
            display[name.casefold()] = name
            existing = sheets.get(name.casefold())
            types: list[Override] = []
            if existing:  # our own sheet: replace in place (same position, same sheet id, same part)
                part = targets[existing[1]]
                self._drop_dependents(part)
            else:
                part = self.free_name(self.here("worksheets/sheet{}.xml"))
                rid = relate("worksheet", part)
                sheet_id = max([int(i) for i, _ in sheets.values() if i.isdigit()] + [0]) + 1
                sheets[name.casefold()] = (str(sheet_id), rid)
                new_sheets.append(NewSheet(name, sheet_id, rid))
                types.append(Override(part, CT_WORKSHEET))
            self._places.append(_Place(original, name, part, sheet, types, original == layout.active))
            self.streams[part] = iter(())  # its place held: the part is ours, whatever finish() brings
        for place in self._places:
            if place.original not in later:
                self._generate(place, place.sheet)

        for edit in layout.edits:
            found = sheets.get(edit.name.casefold())
            if found is None:
                raise failure(self.source, "missing-sheet", f"no sheet named '{edit.name}' to add range checks to")
            self.edits[targets[found[1]]] = edit
            for cf in edit.conditional_formats:  # registered now: what finish() adds comes after them
                styles.dxf(cf.highlight)
        if layout.active is not None:
            ours = {place.part for place in self._places}
            for _, rid in sheets.values():
                part = targets.get(rid)
                if part and part not in ours and part in self.infos and tab_selected(self.zf, self.infos[part]):
                    self.unselect.add(part)
        self.later = {place.original for place in self._places if place.original in later}
        self._book = _Book(workbook, sheets, owned, display, placed, new_rels, new_sheets, new_types,
                           styles_name, content_types, content_types_name, layout.active)
        early = [name for name in self._parts() if name not in {p.part for p in self._places if p.original in later}]
        if prepare and self._size(early) >= THREADED:
            # a big book: its known parts prepared while the job computes the rest, one at a time (the job, or
            # fastexcel while it loads the Tracking rows, keeps the other core busy)
            self.pool = ThreadPoolExecutor(max_workers=1)
            self.ready = {name: self.pool.submit(self._prepared, name, self.infos.get(name)) for name in early}

    def finish(self, sheets: Sequence[SheetLayout] = ()) -> None:
        """The sheets begin() held places for (matched by name), then the small parts that name every sheet:
        styles.xml, workbook.xml, its relationships and the content types."""
        given = {sheet.name: sheet for sheet in sheets}
        self.check_later(given)
        for place in self._places:
            if place.original in given:
                place.sheet = dataclasses.replace(given[place.original], name=place.name)
                self._generate(place, place.sheet)
        book, ns = self._book, self.ns
        styles_xml = self.styles.xml()
        if styles_xml is not None:
            self.new[book.styles_name] = styles_xml.encode("utf-8")
        workbook = book.workbook
        if book.new_sheets:
            listed = add_sheets(workbook, book.new_sheets, ns)
            if listed is None:
                raise failure(self.source, "damaged", f"{self.workbook_part} lists no sheets")
            workbook = listed
        sheets = book.sheets
        record = [(sheets[n][0], book.display[n]) for n in sorted(book.owned, key=lambda n: int(sheets[n][0] or 0))]
        workbook = set_defined_name(workbook, OWNED_NAME, owned_formula(record))
        workbook = full_calc_on_load(workbook)
        for place in self._places:
            workbook = print_titles(workbook, place.name, place.sheet)
        if book.active is not None:
            workbook = open_on(workbook, book.placed.get(book.active, book.active))
        self.new[self.workbook_part] = workbook.encode("utf-8")
        if book.new_rels:
            rels = append_to_root(self.read(self.workbook_rels), "Relationships", entries_xml(book.new_rels),
                                  self.workbook_rels)
            self.new[self.workbook_rels] = rels.encode("utf-8")
        types = [*book.new_types, *(t for place in self._places for t in place.types)]
        self.new[book.content_types_name] = updated_content_types(book.content_types, book.content_types_name,
                                                                  self.removed, types).encode()

    def check_later(self, names: Collection[str]) -> None:
        """A caller's mistake, not the workbook's: finish() takes exactly the sheets begin() was told come later."""
        if set(names) != self.later:
            raise ValueError(f"the sheets {sorted(self.later)} come later, not {sorted(names)}")

    def _generate(self, place: _Place, sheet: SheetLayout) -> None:
        """One of our sheets: its charts, and its XML to be produced in pieces (its styles registered now)."""
        drawing_rid = self._add_charts(sheet, place.part, place.types) if sheet.charts else None
        self.streams[place.part] = sheet_xml(sheet, self.styles, drawing_rid, selected=place.active,
                                             epoch=self.epoch, ns=self.ns)
        self.sizes[place.part] = sheet_size(sheet)

    def _add_charts(self, sheet: SheetLayout, part: str, new_types: list[Override]) -> str:
        """The charts of one of our sheets, their drawing and the relationships between them; the id by which the
        sheet names its drawing."""
        ns = self.ns
        drawing = self.free_name(self.here("drawings/drawing{}.xml"))
        drawing_folder = str(PurePosixPath(drawing).parent)
        drawing_rels = []
        for i, chart in enumerate(sheet.charts, start=1):
            chart_part = self.free_name(self.here("charts/chart{}.xml"))
            self.new[chart_part] = ns.into(chart_xml(sheet, chart)).encode("utf-8")
            drawing_rels.append(Relationship(f"rId{i}", REL_CHART, _relative(chart_part, drawing_folder)))
            new_types.append(Override(chart_part, CT_CHART))
        self.new[drawing] = ns.into(drawing_xml(sheet.charts)).encode("utf-8")
        self.new[rels_name(drawing)] = ns.into(rels_xml(drawing_rels)).encode("utf-8")
        new_types.append(Override(drawing, CT_DRAWING))
        self.new[self.actual(rels_name(part))] = ns.into(rels_xml(
            [Relationship("rId1", REL_DRAWING, _relative(drawing, str(PurePosixPath(part).parent)))])).encode("utf-8")
        return "rId1"

    def _drop_dependents(self, part: str) -> None:
        """Remove the drawings and charts of a generated sheet we are about to replace."""
        rels = self.actual(rels_name(part))
        if not self.exists(rels):
            return
        for rel in parse_rels(self.read(rels)):
            if rel.type in (REL_DRAWING, REL_CHART):
                child = self._target(rel.part_target, str(PurePosixPath(part).parent))
                self._drop_dependents(child)
                self.removed.add(child)
        self.removed.add(rels)
        self.new.pop(rels, None)

    # ---- writing the package --------------------------------------------------------------------------------

    def _prepared(self, name: str, like: zipfile.ZipInfo | None) -> tuple[zipfile.ZipInfo, list[bytes]]:
        """One big part (a sheet we generate, or a user's sheet we add range checks to) compressed into memory on
        a worker thread, so the user's sheet inflates and deflates while ours is generated; the file is then
        written in the package's own order from these buffers."""
        part = _Part(self.stop)
        try:
            if name in self.edits or name in self.unselect:
                assert like is not None
                with (Inflated(self.source, like) if Inflated.readable(self.source, like)
                      else self.zf.open(like)) as raw:
                    src: IO[bytes] = raw  # type: ignore[assignment]
                    if is_utf16(raw.peek(4)[:4]):  # rare: edited as UTF-8 text, declared so
                        src = io.BytesIO(utf8_xml(raw.read()))
                    stream_edit(Unselected(src) if name in self.unselect else src,  # type: ignore[arg-type]
                                part, self.edits.get(name), self.styles, self.epoch)  # type: ignore[arg-type]
            else:
                for piece in self.streams[name]:  # sheet_xml parses what it generates before its last piece
                    part.write(piece)
        except InvalidPartError as exc:
            raise InvalidPartError(f"{name}: {exc}") from None
        except UnwritablePartError as exc:
            raise UnwritablePartError(name, exc.what) from None
        except UnicodeDecodeError:
            raise UnwritablePartError(name, "holds text that is not in the encoding its XML declares") from None
        return part.entry(entry_info(name, like))

    def _parts(self) -> list[str]:
        """The big parts this run writes: the user's sheets it edits, then ours."""
        return [name for name in dict.fromkeys((*self.edits, *self.unselect, *self.streams))
                if name not in self.removed]

    def _size(self, parts: list[str]) -> int:
        return sum(self.sizes[name] if name in self.sizes else self.infos[name].file_size for name in parts)

    def _write_entries(self, out: zipfile.ZipFile) -> None:
        self.removed -= set(self.new) | set(self.streams)  # a replaced sheet's old chart part may be reused
        parts = self._parts()
        # Big parts are prepared on worker threads, compressing one while the next is generated (begin() started
        # those it knew); a small workbook's (1,000 rows: about 1 MB) are prepared in turn as they are written,
        # where threads would cost more CPU than they save.
        if self.pool is None and self._size(parts) >= THREADED:
            self.pool = ThreadPoolExecutor(max_workers=2)
        ready: dict[str, Future | _Deferred] = {
            name: self.ready.pop(name, None) or (self.pool.submit(self._prepared, name, self.infos.get(name))
                                                 if self.pool is not None
                                                 else _Deferred(self._prepared, name, self.infos.get(name)))
            for name in parts}
        with self.source.open("rb") as raw:
            for info in self.zf.infolist():
                name = info.filename
                if name in ready:
                    append_raw(out, *ready.pop(name).result())
                elif name in self.new:
                    out.writestr(entry_info(name, info), self.new.pop(name))
                elif name not in self.removed:
                    copy_raw(raw, info, out)
            for name in sorted(self.new):
                out.writestr(entry_info(name, None), self.new[name])
            for name in sorted(ready):
                append_raw(out, *ready[name].result())

    def _verify(self, written: Path, small: list[str]) -> None:
        """Before publishing: every part we wrote is in the package, and the small ones read back from the disk as
        the well-formed XML they were (the big ones were parsed as they were compressed)."""
        with zipfile.ZipFile(written) as zf:
            names = set(zf.namelist())
            for name in (*small, *self.edits, *self.unselect, *self.streams):
                if name not in self.removed and name not in names:
                    raise InvalidPartError(f"{name}: missing from the package")
            for name in small:
                if name.endswith((".xml", ".rels")):
                    try:
                        check_xml(zf.read(name))
                    except InvalidPartError as exc:
                        raise InvalidPartError(f"{name}: {exc}") from None
                    except (zipfile.BadZipFile, OSError) as exc:
                        raise InvalidPartError(f"{name}: cannot be read back ({exc})") from None

    def save(self, target: Path) -> None:
        """Write the package beside the target and publish it atomically (outputs.publish): a package with a
        damaged part is never published."""
        small = list(self.new)  # the parts written whole; _write_entries empties self.new

        def write(fh: IO[bytes]) -> None:
            with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as out:
                self._write_entries(out)

        publish(self.source, target, write, lambda written: self._verify(written, small))

    def close(self) -> None:
        """Ends the run: a part still being prepared (after an error, or when the job stopped) is given up."""
        self.stop.set()
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        self.zf.close()


@contextlib.contextmanager
def _explained(source: Path) -> Iterator[None]:
    """The writer's failures as sentences about the user's workbook."""
    try:
        yield
    except WorkbookError:
        raise
    except UnwritablePartError as exc:
        raise damaged(str(source), f"it cannot be written to: {exc.part} {exc.what}") from exc
    except Exception as exc:  # damage the reader did not need to see (styles, content types, a part's bytes)
        raise explain(str(source), exc, "written to") from exc


def begin_workbook(source: Path, layout: WorkbookLayout, later: Collection[str]) -> WorkbookWriter:
    """The first of two steps (WorkbookWriter.begin): ``layout``'s parts start being prepared on worker threads
    while the caller computes the sheets named in ``later``, which it hands to write_workbook(..., begun=).
    Raises as write_workbook does; the caller closes the writer it gets when it does not write."""
    with _explained(source):
        writer = WorkbookWriter(source)
        try:
            writer.begin(layout, later)
        except BaseException:
            writer.close()
            raise
    return writer


def write_workbook(source: Path, layout: WorkbookLayout, target: Path, warnings: list[Problem] | None = None,
                   begun: WorkbookWriter | None = None) -> Path:
    """Add ``layout`` to a copy of ``source`` at ``target`` (which may be ``source`` itself: in place). A sheet of
    the user's with one of our names is kept, ours goes under another name, and ``warnings`` gets a sentence.
    With ``begun`` (from begin_workbook), ``layout`` holds only the sheets it left for later; it is closed here."""
    try:
        if begun is not None:
            begun.check_later([sheet.name for sheet in layout.sheets])
        if (lock := open_elsewhere(target)) is not None:  # Excel's ~$ or LibreOffice's .~lock file beside it
            raise failure(target, "workbook-open", lock.sentence(target) + "; close it there first, or " + (
                "run without --in-place to write a copy" if same_file(target, source) else "write somewhere else"))
        with _explained(source):
            writer = begun or WorkbookWriter(source)
            try:
                if begun is None:
                    writer.apply(layout)
                else:
                    writer.finish(layout.sheets)
                writer.save(target)
            finally:
                writer.close()
    finally:
        if begun is not None:
            begun.close()
    if warnings is not None:
        warnings.extend(writer.warnings)
    return target
