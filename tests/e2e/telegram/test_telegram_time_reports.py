"""/timesheet on Telegram: the chart goes as a photo with the summary as its caption, the
spreadsheet as a document; the .xlsx opens and holds the totals."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from domain.company import Role
from tests.e2e.telegram.conftest import Harness, button

BOSS, ANNA = 2001, 2002


async def test_timesheet_month_chart_xlsx(tg: Harness) -> None:
    await tg.join(BOSS, "Boss", Role.ADMIN)
    await tg.join(ANNA, "Anna")
    await tg.add_project()
    sent = await tg.say(BOSS, "Sales: Call the client tomorrow 10:00 @anna")
    task_id = int(button(sent[0], "op").split(":")[1])
    await tg.say(ANNA, f"/time {task_id} 1h30m call with the client")

    mark = len(tg.api.calls)
    await tg.say(ANNA, "/timesheet month chart xlsx")
    [photo] = tg.sent_since(mark, "sendPhoto")
    [document] = tg.sent_since(mark, "sendDocument")
    assert tg.api.calls.index(photo) < tg.api.calls.index(document)  # summary first
    assert photo.params["chat_id"] == ANNA
    image = photo.params["photo"]
    assert image.data.startswith(b"\x89PNG")
    assert "Timesheet" in photo.params["caption"] and "1h 30m" in photo.params["caption"]
    upload = document.params["document"]
    assert upload.filename == "timesheet.xlsx"
    assert "timesheet.xlsx" in document.params["caption"]
    rows = list(load_workbook(io.BytesIO(upload.data)).active.iter_rows(values_only=True))
    assert rows[0] == ("Member", "Date", "Project", "Minutes", "Billable minutes")
    assert rows[1][0] == "Anna" and rows[1][2:] == ("Sales", 90, 90)
    assert rows[-1] == ("Total", None, None, 90, 90)

    # a bad period is answered in words, keeping what was written
    texts = [m["text"] for m in await tg.say(ANNA, "/timesheet fortnight")]
    assert any("fortnight" in t and "/timesheet week" in t for t in texts)
