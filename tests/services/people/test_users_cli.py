"""`acctmgr users add` and `users list`: the rule's sentence alone, and rows that stay rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update

from acctmgr.models import User
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.text import CONTROL
from tests.cli_support import run_acctmgr


@pytest.mark.usefixtures("admin")
def test_a_bad_email_is_refused_with_the_rules_sentence_alone(
    database_url: str, tmp_path: Path
) -> None:
    """No pydantic or click wording: one `acctmgr:` line with the sentence, status 1."""
    refused = run_acctmgr(
        tmp_path,
        database_url,
        "--as",
        "admin",
        "users",
        "add",
        "u1",
        "--name",
        "You One",
        "--email",
        "not-an-email",
    )
    assert refused.returncode == 1
    assert refused.stderr == "acctmgr: An e-mail address looks like name@example.com.\n"


@pytest.mark.usefixtures("admin")
def test_a_name_with_escape_codes_is_refused_with_a_sentence(
    database_url: str, tmp_path: Path
) -> None:
    """`users add --name $'\\e]0;pwned\\a\\e[2J'` stores nothing and says why in one line."""
    args = ("--as", "admin", "users", "add", "u1", "--email", "u1@example.com", "--name")
    refused = run_acctmgr(tmp_path, database_url, *args, "\x1b]0;pwned\x07\x1b[2J")
    assert refused.returncode == 1
    assert refused.stderr == (
        "acctmgr: The name cannot contain control characters such as escape codes or line breaks.\n"
    )
    listed = run_acctmgr(tmp_path, database_url, "--as", "admin", "users", "list")
    assert "u1" not in listed.stdout.split()


def test_users_list_shows_older_rows_control_characters_as_pictures(
    admin: Context, database_url: str, tmp_path: Path
) -> None:
    """Names stored before the rule keep each user on one row and the terminal untouched."""
    names = {"ae": "Erin\x1b]0;pwned\x07\x1b[2J", "cms": "Casey\nContracts", "leader": "Lee\x9b"}
    if database_url.startswith("sqlite"):
        names["finance"] = "Fin\x00Ance"  # PostgreSQL cannot hold a NUL at all
    with admin.database.write_session() as session:
        for login, name in names.items():
            session.execute(update(User).where(User.login == login).values(name=name))
        session.commit()
    listed = run_acctmgr(tmp_path, database_url, "--as", "admin", "users", "list")
    assert listed.returncode == 0, listed.stderr
    rows = listed.stdout.split("\n")
    assert rows.pop() == ""
    assert [row.split()[0] for row in rows] == ["admin", "ae", "ae2", "cms", "finance", "leader"]
    assert not CONTROL.search("".join(rows))
    assert "Erin␛]0;pwned␇␛[2J" in rows[1]
    assert "Casey Contracts" in rows[3]
    assert "Lee\ufffd" in rows[5]
    if database_url.startswith("sqlite"):
        assert "Fin␀Ance" in rows[4]
