"""Where a run writes, and how: the output's name and the refusals that keep a user's files safe (the input
itself without --in-place, a folder, another kind of workbook, a file we did not write), then the atomic publish
(a temporary file beside the target, fsynced, checked, renamed over it) and the clean-up after a killed run."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from salesmetrics_xl.core.problems import Problem, Severity, WorkbookError
from salesmetrics_xl.layouts.sheet import OWNED_NAME
from salesmetrics_xl.xlsx.xmltext import INVALID_OUTPUT, InvalidPartError


def failure(path: Path | str, code: str, message: str) -> WorkbookError:
    """The writer's refusal: one sentence about ``path``, exit 2."""
    return WorkbookError(Problem(severity=Severity.ERROR, code=code, message=message, file=str(path)))


def output_path(source: Path, out: Path | None, in_place: bool, tag: str = "summary", force: bool = False) -> Path:
    """Where a run writes: the source itself only when asked (the file a link points to, so the link stays a
    link), else ``team.summary.xlsx`` beside it. An output keeps its source's kind: Excel refuses to open a
    macro-enabled package named .xlsx, or a plain one named .xlsm. An existing file is replaced only when it is an
    earlier output of ours (it records our sheets), or with ``force``: a mistyped --out never costs a workbook."""
    if in_place:
        return Path(os.path.realpath(source))
    if out is not None and same_file(out, source):
        raise failure(source, "out-is-input", f"--out {out} is the workbook itself, which is only written with "
                                              "--in-place; pass --in-place instead, or another --out")
    target = out or source.with_name(f"{source.stem}.{tag}{source.suffix}")
    check_output(target, f"{source.stem}.{tag}{source.suffix}")
    if out is not None and out.suffix.lower() != source.suffix.lower():
        why = "an .xlsx cannot hold its macros" if source.suffix.lower() == ".xlsm" else "Excel refuses to open " \
              "a workbook without macros named .xlsm"
        raise failure(source, "wrong-suffix", f"--out {out}: the output is the same kind of workbook as the input "
                                              f"({why}); name it {out.with_suffix(source.suffix).name}")
    if not force and target.is_file() and not written_by_us(target):
        raise failure(target, "not-ours", "exists and was not written by salesmetrics-xl; nothing was written. "
                                          "Write somewhere else, or pass --force to replace it")
    return target


def written_by_us(path: Path) -> bool:
    """A workbook that records sheets of ours: an earlier summary or baseline, safe to write again."""
    from salesmetrics_xl.reader import defined_names

    try:
        return OWNED_NAME.casefold() in defined_names(path)
    except Exception:  # not a workbook: certainly not ours
        return False


def same_file(a: Path, b: Path) -> bool:
    """The same file, however the path is spelled (relative, a link, another case on a case-blind drive)."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist yet
        return a.resolve() == b.resolve()


def check_output(target: Path, example: str = "team.summary.xlsx") -> None:
    """One sentence instead of an OS error deep in the write: the target must be a file name in a folder."""
    if target.is_dir():
        raise failure(target, "is-a-folder", "is a folder, not a file name; give the file to write, such as "
                                             f"{target / example}")
    if not target.parent.is_dir():
        raise failure(target, "no-folder", f"the folder {target.parent} does not exist; create it first or write "
                                           "somewhere else")


def publish(source: Path, target: Path, write: Callable[[IO[bytes]], None], verify: Callable[[Path], None]) -> None:
    """Write to a temporary file beside the target, fsync, ``verify`` what was written, then atomically replace the
    target: a crash, a full disk or a damaged part never costs the original."""
    folder = target.parent
    _clean_stale_temporaries(target)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".smxl-tmp", dir=folder)
    except OSError as exc:
        raise failure(target, "cannot-write", f"cannot write in {folder}: {exc.strerror}") from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        verify(tmp)
        if target.exists():  # in place, or an earlier output: keep its mode
            shutil.copymode(target, tmp)
        else:  # mkstemp made it 0600: a new file gets what the user's umask allows, like any other
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
        _fsync_dir(folder)
    except InvalidPartError as exc:
        tmp.unlink(missing_ok=True)
        raise failure(source, "invalid-output", f"{INVALID_OUTPUT} ({exc})") from None
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise failure(target, "cannot-write", f"could not write {target.name}: {exc.strerror or exc}; "
                                              "the original is unchanged") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _clean_stale_temporaries(target: Path) -> None:
    """Temporaries left by a writer that was killed: remove those whose process is gone."""
    for stale in target.parent.glob(f".{glob_escape(target.name)}.*.smxl-tmp"):
        try:
            pid = int(stale.name[len(target.name) + 2:].split(".", 1)[0])
            os.kill(pid, 0)
        except (ValueError, ProcessLookupError):
            stale.unlink(missing_ok=True)
        except PermissionError:
            pass


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)
