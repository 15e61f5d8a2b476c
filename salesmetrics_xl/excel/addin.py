"""The classic Excel add-in (Windows): build the ribbon .xlam from xlwings' own, install it, find it.

The .xlam is xlwings' custom ribbon add-in (``xlwings quickstart salesmetrics_xl --addin --ribbon``) with only its
``customUI/customUI.xml`` rewritten: a "Sales Metrics" tab whose large "Build Weekly Summary" button runs the
add-in's ``RunMain``, which does ``RunPython "import salesmetrics_xl; salesmetrics_xl.main()"``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

NAME = "salesmetrics_xl"
XLAM = Path(__file__).with_name(f"{NAME}.xlam")
UDF_MODULES = "salesmetrics_xl.excel.functions"
CUSTOM_UI = """<customUI xmlns="http://schemas.microsoft.com/office/2006/01/customui">
  <ribbon>
    <tabs>
      <tab id="salesMetricsTab" label="Sales Metrics">
        <group id="weeklyGroup" label="Weekly">
          <button id="buildWeeklySummary" label="Build Weekly Summary" size="large"
                  onAction="RibbonMyAddin.RunMain" imageMso="ChartInsert"
                  screentip="Build Weekly Summary"
                  supertip="Reads the Tracking and Ranges sheets and writes the Weekly Summary and Evaluation sheets."/>
        </group>
      </tab>
    </tabs>
  </ribbon>
</customUI>
"""


def build(target: Path) -> Path:
    """Reproducible: xlwings' quickstart add-in, every part kept but the ribbon XML."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if k != "XLWINGS_ON_SERVER"}
        subprocess.run([sys.executable, "-m", "xlwings.cli", "quickstart", NAME, "--addin", "--ribbon"], cwd=tmp,
                       check=True, capture_output=True, env=env)
        source = Path(tmp) / NAME / f"{NAME}.xlam"
        with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
            for info in src.infolist():
                data = CUSTOM_UI.encode() if info.filename == "customUI/customUI.xml" else src.read(info)
                out.writestr(info, data)
    return target


def startup_folder() -> Path:
    """Excel's start-up folder on Windows: an add-in there loads with every Excel session."""
    if not sys.platform.startswith("win"):
        raise OSError("the classic add-in runs in Excel for Windows; on a Mac or Excel on the web use xlwings Lite "
                      "(see 'Use it in Excel' in the README), or pass --dest")
    return Path(os.environ["APPDATA"]) / "Microsoft" / "Excel" / "XLSTART"


def config_text(interpreter: str) -> str:
    """The add-in's settings, in xlwings' conf format: which Python runs it, where its functions live."""
    return f'"INTERPRETER_WIN","{interpreter}"\n"UDF MODULES","{UDF_MODULES}"\n'


def install(dest: Path | None = None, config_dir: Path | None = None) -> tuple[Path, Path]:
    folder = dest or startup_folder()
    folder.mkdir(parents=True, exist_ok=True)
    xlam = Path(shutil.copy2(XLAM, folder / XLAM.name))
    conf_dir = config_dir or Path.home() / f".{NAME}"
    conf_dir.mkdir(parents=True, exist_ok=True)
    conf = conf_dir / f"{NAME}.conf"
    conf.write_text(config_text(sys.executable))
    return xlam, conf
