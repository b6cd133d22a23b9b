"""Report files: a ``domain.services.timereports.Table`` as CSV or as an XLSX workbook.

CSV: the column keys as header, the rows, then the totals row; days as ISO dates.
XLSX (openpyxl), one sheet: a header row in the reader's language (labels
``report.col.<column>``), the rows with minutes as numbers and days as dates, and a
bold totals row.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from domain.services.timereports import Table
from handlers.rendering import label


def csv_bytes(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.columns)
    for row in (*table.rows, *((table.totals,) if table.totals else ())):
        writer.writerow([c.isoformat() if isinstance(c, date) else c for c in row])
    return out.getvalue().encode()


def xlsx(table: Table, lang: str, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    bold = Font(bold=True)
    sheet.append([label(lang, f"report.col.{c}") for c in table.columns])
    for cell in sheet[1]:
        cell.font = bold
    for row in table.rows:
        sheet.append(list(row))
    if table.totals is not None:
        sheet.append([label(lang, "report.col.total") if c == "total" else c for c in table.totals])
        for cell in sheet[sheet.max_row]:
            cell.font = bold
    for n in range(1, len(table.columns) + 1):
        head = sheet.cell(row=1, column=n)
        width = max(
            [len(str(head.value or "")), 10] + [len(str(r[n - 1])) for r in table.rows[:200]]
        )
        sheet.column_dimensions[head.column_letter].width = min(width + 2, 40)
        if any(isinstance(r[n - 1], date) for r in table.rows[:1]):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=n, max_col=n):
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
