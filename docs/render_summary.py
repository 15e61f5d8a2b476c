"""Render the example's Weekly Summary sheet to docs/weekly-summary.png (LibreOffice headless + pdftoppm).

    python docs/render_summary.py
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from salesmetrics_xl.summarise import summarise_workbook

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        book = summarise_workbook(ROOT / "examples" / "acme_sales_team.xlsx", out=work / "acme.xlsx").output
        subprocess.run(["soffice", f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(work), str(book)], check=True, capture_output=True)
        pdf = work / "acme.pdf"
        pages = int(next(line.split()[-1] for line in subprocess.run(
            ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
            if line.startswith("Pages:")))
        page = next(p for p in range(1, pages + 1) if "Weekly Summary:" in subprocess.run(
            ["pdftotext", "-f", str(p), "-l", str(p), str(pdf), "-"], capture_output=True, text=True).stdout)
        subprocess.run(["pdftoppm", "-png", "-r", "110", "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                        str(work / "page")], check=True)
        shutil.copy(work / "page.png", ROOT / "docs" / "weekly-summary.png")
    print("wrote docs/weekly-summary.png")


if __name__ == "__main__":
    main()
