"""What the acctmgr command prints shows control characters as pictures, never sends them."""

from __future__ import annotations

from pathlib import Path

from acctmgr.services.kernel.text import CONTROL
from tests.cli_support import run_acctmgr


def test_config_show_prints_a_settings_control_characters_as_pictures(tmp_path: Path) -> None:
    """A setting with an escape sequence in it cannot retitle the terminal that shows it."""
    shown = run_acctmgr(
        tmp_path,
        f"sqlite:///{tmp_path / 'acctmgr.db'}",
        "config",
        "show",
        environ={"ACCTMGR_SMTP_HOST": "mail\x1b]0;pwned\x07.example.com"},
    )
    assert shown.returncode == 0, shown.stderr
    assert "mail␛]0;pwned␇.example.com" in shown.stdout
    assert not CONTROL.search(shown.stdout.replace("\n", ""))
