"""Which sheet is which, found by its declared name or an alias (core/parse/sheets.py)."""

from salesmetrics_xl.core.parse import find_sheet
from salesmetrics_xl.core.workbook import RANGES, TRACKING


def test_a_sheet_is_found_by_an_alias_whatever_its_case_and_spacing():
    names = ["Notes", "weekly  ACTIVITY", "Goals", "Data"]
    assert find_sheet(names, TRACKING) == "weekly  ACTIVITY"  # the first that names it, not the later "Data"
    assert find_sheet(names, RANGES) == "Goals"
    assert find_sheet(["Notes", "Sheet1"], TRACKING) is None


def test_our_own_output_sheets_are_never_taken_for_the_teams():
    assert find_sheet(["Weekly Summary", "Evaluation", "Suggested Ranges"], RANGES) is None
