"""The lossless .xlsx/.xlsm writer, one module per kind of part (the writer itself in ``writer``):

| module | its job |
|---|---|
| ``writer`` | ``WorkbookWriter`` and ``write_workbook``: what goes where in the package |
| ``worksheet`` | a sheet we generate, and the cells, checks and validations we add to a user's |
| ``user_sheet`` | a user's sheet: its cell data streamed through, only the tail after it edited |
| ``charts`` | our charts and the drawing that anchors them |
| ``styles`` | styles.xml: our formats appended, identical ones reused |
| ``workbook_xml`` | workbook.xml: new sheets, defined names, the tab it opens on, recalculation |
| ``relationships``, ``content_types`` | .rels and [Content_Types].xml entries as records |
| ``owned`` | which sheets are ours |
| ``splice``, ``xmltext`` | splicing into a part in its own prefix; escaping and the well-formedness check |
| ``zipcopy`` | raw zip entries: ours compressed in memory, the rest copied as their compressed bytes |
| ``outputs`` | where a run writes, and the atomic publish |
"""

from salesmetrics_xl.xlsx.charts import chart_xml
from salesmetrics_xl.xlsx.outputs import check_output, output_path, same_file, written_by_us
from salesmetrics_xl.xlsx.worksheet import MARK
from salesmetrics_xl.xlsx.writer import WorkbookWriter, write_workbook
from salesmetrics_xl.xlsx.zipcopy import iter_parts

__all__ = ["MARK", "WorkbookWriter", "chart_xml", "check_output", "iter_parts", "output_path", "same_file",
           "write_workbook", "written_by_us"]
