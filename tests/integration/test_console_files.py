"""The console adapter shows what a reply carries: charts and files are saved under the
files directory (data/files by default) with unique names, and their paths printed."""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import load_workbook

from brygada.bootstrap import App
from brygada.settings import Settings
from tests.conftest import FakeClock
from tests.dialog import Dialog
from tests.integration.test_time_reports import build

SAVED = re.compile(r"📎 saved: (\S+)")


def saved(answer: str) -> list[Path]:
    return [Path(p) for p in SAVED.findall(answer)]


async def test_chart_csv_and_xlsx_are_saved_and_shown(
    app: App, clock: FakeClock, tmp_path: Path
) -> None:
    world = await build(app, clock)
    dialog = Dialog(app, world.team, files=tmp_path / "files")
    answer = await dialog.send("boss", "/timesheet month team by project chart")
    [chart] = saved(answer)
    assert chart.parent == tmp_path / "files" and chart.read_bytes().startswith(b"\x89PNG")

    answer = await dialog.send("boss", "/timesheet month team by project csv")
    [csv] = saved(answer)
    assert csv.name == "timesheet-by-project.csv"
    assert csv.read_text().splitlines()[0].startswith("project,minutes")

    answer = await dialog.send("boss", "/timesheet month team by project xlsx")
    [xlsx] = saved(answer)
    assert load_workbook(xlsx).active is not None

    # The same report again is a new file: nothing is overwritten.
    [again] = saved(await dialog.send("boss", "/timesheet month team by project xlsx"))
    assert again != xlsx and again.name == "timesheet-by-project-2.xlsx" and xlsx.exists()


def test_files_live_under_the_data_directory_unless_configured() -> None:
    default = Settings(_env_file=None)  # type: ignore[call-arg]
    assert default.files_path == Path("data") / "files"
    assert default.database_url.endswith(f"///{default.data_dir}/brygada.db")
    moved = Settings(files_dir=Path("/srv/exports"), _env_file=None)  # type: ignore[call-arg]
    assert moved.files_path == Path("/srv/exports")
