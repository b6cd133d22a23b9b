"""The brygada CLI on a fresh database: init applies migrations, invites print codes."""

from __future__ import annotations

import json

import pytest

from brygada.cli import main


@pytest.fixture
def fresh_db(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path}/fresh.db"
    monkeypatch.setenv("BRYGADA_DATABASE_URL", url)
    monkeypatch.chdir(str(tmp_path))
    return url


def test_init_and_invite(fresh_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", "--company", "Acme"]) == 0
    assert "Acme" in capsys.readouterr().out
    assert main(["init", "--company", "Again"]) == 1
    assert main(["invite", "create", "--role", "manager", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert len(printed["code"]) == 10 and printed["link"] is None


def test_invite_link_when_telegram_is_configured(
    fresh_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRYGADA_TELEGRAM_BOT_USERNAME", "acme_bot")
    main(["init", "--company", "Acme"])
    capsys.readouterr()
    main(["invite", "create", "--json"])
    printed = json.loads(capsys.readouterr().out)
    assert printed["link"] == f"https://t.me/acme_bot?start={printed['code']}"


def test_shell_runs_a_scripted_conversation(
    fresh_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    main(["init", "--company", "Acme"])
    main(["invite", "create", "--role", "admin", "--json"])
    capsys.readouterr()
    monkeypatch.setattr("sys.stdin", io.StringIO("/help\n/quit\n"))
    assert main(["shell", "--as", "nobody"]) == 1
