"""Settings merge defaults < config file < environment < flags, and say where each came from."""

from __future__ import annotations

from pathlib import Path

import pytest

from acctmgr.config import Paths, load_settings, save_setting
from acctmgr.errors import ConfigError


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return Paths(tmp_path / "data", tmp_path / "config", tmp_path / "logs")


def test_defaults_point_at_sqlite_in_the_data_dir(paths: Paths) -> None:
    """With nothing configured the database is acctmgr.db in the user data dir."""
    loaded = load_settings(environ={}, paths=paths)
    assert loaded.database_url == f"sqlite:///{paths.data_dir / 'acctmgr.db'}"
    assert loaded.sources["database_url"] == "default"


def test_each_layer_overrides_the_one_before(paths: Paths) -> None:
    """A flag beats the environment, which beats the config file, which beats the default."""
    paths.config_dir.mkdir(parents=True)
    paths.config_file.write_text(
        'theme = "nord"\nsmtp_port = 2525\nmail_from = "file@example.com"\n'
        'database_url = "sqlite:////from/file.db"\n'
    )
    environ = {"ACCTMGR_SMTP_PORT": "2626", "ACCTMGR_DATABASE_URL": "sqlite:////from/env.db"}
    loaded = load_settings(
        {"database_url": "sqlite:////from/flag.db", "login": None}, environ=environ, paths=paths
    )
    assert loaded.settings.theme == "nord"
    assert loaded.sources["theme"] == "config file"
    assert loaded.settings.smtp_port == 2626
    assert loaded.sources["smtp_port"] == "environment"
    assert loaded.database_url == "sqlite:////from/flag.db"
    assert loaded.sources["database_url"] == "command line"
    assert loaded.sources["login"] == "default"
    shown = {name: (value, source) for name, value, source in loaded.describe()}
    assert shown["mail_from"] == ("file@example.com", "config file")


def test_secrets_are_masked_in_the_description(paths: Paths) -> None:
    """config show never prints the SMTP password."""
    loaded = load_settings(environ={"ACCTMGR_SMTP_PASSWORD": "hunter2"}, paths=paths)
    shown = {name: value for name, value, _ in loaded.describe()}
    assert shown["smtp_password"] == "(set)"


def test_a_bad_environment_value_names_the_variable(paths: Paths) -> None:
    """An invalid value is reported with the variable it came from."""
    with pytest.raises(ConfigError, match="ACCTMGR_SMTP_PORT"):
        load_settings(environ={"ACCTMGR_SMTP_PORT": "many"}, paths=paths)


def test_a_broken_config_file_is_one_sentence(paths: Paths) -> None:
    """A config file that is not TOML, or has an unknown key, names the file."""
    paths.config_dir.mkdir(parents=True)
    paths.config_file.write_text("theme = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(environ={}, paths=paths)
    paths.config_file.write_text('colour = "red"\n')
    with pytest.raises(ConfigError, match="unknown setting: colour"):
        load_settings(environ={}, paths=paths)


def test_saving_a_setting_keeps_the_others(paths: Paths) -> None:
    """Saving the theme writes it into the config file beside what was there."""
    paths.config_dir.mkdir(parents=True)
    paths.config_file.write_text('mail_from = "a@example.com"\n')
    save_setting(paths, "theme", "gruvbox")
    loaded = load_settings(environ={}, paths=paths)
    assert loaded.settings.theme == "gruvbox"
    assert loaded.settings.mail_from == "a@example.com"


@pytest.mark.parametrize(
    ("variable", "raw", "reason"),
    [
        ("ACCTMGR_SMTP_PORT", "0", "a whole number from 1 to 65535"),
        ("ACCTMGR_SMTP_PORT", "25.5", "a whole number"),
        ("ACCTMGR_BUSY_TIMEOUT_SECONDS", "0", "a number above 0 to 600"),
        ("ACCTMGR_BUSY_TIMEOUT_SECONDS", "soon", "a number"),
        ("ACCTMGR_SMTP_STARTTLS", "maybe", "true or false"),
        ("ACCTMGR_LOG_LEVEL", "LOUD", "one of DEBUG, INFO, WARNING, ERROR"),
    ],
)
def test_each_kind_of_setting_is_checked(
    paths: Paths, variable: str, raw: str, reason: str
) -> None:
    """Numbers within their bounds, flags, and choices; the sentence says what is wanted."""
    with pytest.raises(ConfigError, match=f"{variable} is not valid: it must be {reason}"):
        load_settings(environ={variable: raw}, paths=paths)


def test_values_from_text_become_their_kind(paths: Paths) -> None:
    """The environment is text: numbers and flags are read from it."""
    environ = {
        "ACCTMGR_SMTP_PORT": "2525",
        "ACCTMGR_BUSY_TIMEOUT_SECONDS": "2.5",
        "ACCTMGR_SMTP_STARTTLS": "yes",
        "ACCTMGR_LOG_LEVEL": "DEBUG",
        "ACCTMGR_SMTP_USERNAME": "",
    }
    settings = load_settings(environ=environ, paths=paths).settings
    assert (settings.smtp_port, settings.busy_timeout_seconds) == (2525, 2.5)
    assert settings.smtp_starttls is True
    assert settings.log_level == "DEBUG"
    assert settings.smtp_username is None  # empty means unset
    paths.config_dir.mkdir(parents=True)
    paths.config_file.write_text("smtp_starttls = true\nsmtp_port = 587\n")
    from_file = load_settings(environ={}, paths=paths).settings
    assert (from_file.smtp_starttls, from_file.smtp_port) == (True, 587)


def test_an_empty_database_url_is_refused_where_it_was_given(paths: Paths) -> None:
    """An empty URL on the command line or in the config file is refused, not taken to mean the
    embedded database; an empty environment variable is unset, as for every setting."""
    with pytest.raises(ConfigError, match="database_url on the command line is not valid"):
        load_settings({"database_url": ""}, environ={}, paths=paths)
    paths.config_dir.mkdir(parents=True)
    paths.config_file.write_text('database_url = "  "\n')
    with pytest.raises(ConfigError, match=f"database_url in {paths.config_file} is not valid"):
        load_settings(environ={}, paths=paths)
    paths.config_file.unlink()
    loaded = load_settings(environ={"ACCTMGR_DATABASE_URL": ""}, paths=paths)
    assert loaded.database_url == f"sqlite:///{paths.data_dir / 'acctmgr.db'}"
