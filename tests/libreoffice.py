"""LibreOffice headless as an independent spreadsheet engine: recalculate what we wrote, then read it back."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_libreoffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed; "
                                                                ".ci/run installs it from Debian packages")

# OOXMLRecalcMode 0 = always recalculate on load. Without it LibreOffice keeps the cached values we wrote,
# and a test comparing them with Python's answers would prove nothing.
_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
</oor:items>
"""


def convert(files: list[Path], outdir: Path, to: str = "xlsx", profile: Path | None = None) -> list[Path]:
    """Open each file in LibreOffice (recalculating every formula) and save it as ``to`` into ``outdir``."""
    assert SOFFICE is not None
    profile = profile or outdir.parent / "lo-profile"
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_PROFILE)
    outdir.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--norestore",
         "--convert-to", to, "--outdir", str(outdir), *map(str, files)],
        capture_output=True, text=True, timeout=300)
    outputs = [outdir / f"{f.stem}.{to}" for f in files]
    missing = [p for p in outputs if not p.exists()]
    assert not missing, f"LibreOffice could not open {missing}: {result.stdout}\n{result.stderr}"
    return outputs
