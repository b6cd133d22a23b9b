"""OAuth settings: the scopes an install asks for are the manifest's bot scopes."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import SecretStr

from brygada.settings import Settings

MANIFEST = Path(__file__).resolve().parents[2] / "slack" / "manifest.yml"


def test_default_scopes_are_the_manifests() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text())
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.slack_scope_list == manifest["oauth_config"]["scopes"]["bot"]


def test_manifest_redirects_to_the_oauth_route() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text())
    [redirect] = manifest["oauth_config"]["redirect_urls"]
    assert redirect.endswith("/slack/oauth_redirect")


def test_oauth_mode_needs_both_client_id_and_secret() -> None:
    settings = Settings(_env_file=None, slack_client_id="1.2")  # type: ignore[call-arg]
    assert not settings.slack_oauth and "slack" not in settings.chat_platforms
    both = settings.model_copy(update={"slack_client_secret": SecretStr("s")})
    assert both.slack_oauth and "slack" in both.chat_platforms
