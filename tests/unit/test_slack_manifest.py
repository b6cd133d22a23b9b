"""The shipped Slack manifest is valid YAML and lists every slash command the adapter maps."""

from __future__ import annotations

from pathlib import Path

import yaml

from bots.slack.inbound import COMMANDS

MANIFEST = Path(__file__).resolve().parents[2] / "slack" / "manifest.yml"


def test_manifest_lists_every_mapped_command() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text())
    declared = {c["command"] for c in manifest["features"]["slash_commands"]}
    assert declared == set(COMMANDS)
    assert all(len(c["description"]) <= 100 for c in manifest["features"]["slash_commands"])
