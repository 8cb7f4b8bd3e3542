"""Where acctmgr keeps its files, and the settings it runs with.

Settings come from four layers, each overriding the one before: built-in defaults, the config
file (``config.toml`` in the user config dir), the environment (``ACCTMGR_<NAME>``), and
command-line flags. ``acctmgr config show`` prints each effective value with the layer it came
from, so nobody has to guess why the app talks to a given database.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

import platformdirs

from acctmgr.errors import ConfigError

APP_NAME = "acctmgr"
ENV_PREFIX = "ACCTMGR_"

Source = Literal["default", "config file", "environment", "command line"]


@dataclass(frozen=True)
class Paths:
    """The per-user directories, from platformdirs unless the environment points elsewhere.

    ``ACCTMGR_DATA_DIR`` and ``ACCTMGR_CONFIG_DIR`` exist so that tests, demo mode and
    administrators can keep a second, separate installation beside the real one.
    """

    data_dir: Path
    config_dir: Path
    log_dir: Path

    @classmethod
    def from_environment(cls, environ: dict[str, str] | None = None) -> Paths:
        env = os.environ if environ is None else environ
        data = env.get(f"{ENV_PREFIX}DATA_DIR") or platformdirs.user_data_dir(APP_NAME)
        config = env.get(f"{ENV_PREFIX}CONFIG_DIR") or platformdirs.user_config_dir(APP_NAME)
        logs = env.get(f"{ENV_PREFIX}LOG_DIR") or platformdirs.user_log_dir(APP_NAME)
        return cls(Path(data), Path(config), Path(logs))

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def default_database(self) -> Path:
        return self.data_dir / "acctmgr.db"

    @property
    def default_erp_drop_folder(self) -> Path:
        return self.data_dir / "erp"


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("it must be text")
    return value


def _database_url(value: Any) -> str:
    # An empty URL given on purpose is a mistake to report: falling back to the embedded
    # database would quietly open another database than the one meant. (An empty environment
    # variable is unset, as for every setting.)
    if not _text(value).strip():
        raise ValueError("it is empty; leave it out to use the embedded SQLite database")
    return str(value)


def _number(low: float, high: float, *, whole: bool = False) -> Callable[[Any], float]:
    """A parser for a number in (low, high] (floats) or [low, high] (whole numbers)."""

    def parse(value: Any) -> float:
        kind = "a whole number" if whole else "a number"
        try:
            if isinstance(value, bool) or (whole and isinstance(value, float)):
                raise ValueError
            number = int(value) if whole else float(value)
        except (TypeError, ValueError):
            raise ValueError(f"it must be {kind}") from None
        inside = low <= number <= high if whole else low < number <= high
        if not inside:
            raise ValueError(
                f"it must be {kind} {'from' if whole else 'above'} {low:g} to {high:g}"
            )
        return number

    return parse


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    words = {"true": True, "yes": True, "on": True, "1": True}
    words |= {"false": False, "no": False, "off": False, "0": False}
    if isinstance(value, str) and value.strip().lower() in words:
        return words[value.strip().lower()]
    raise ValueError("it must be true or false")


def _one_of(*choices: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        if value not in choices:
            raise ValueError(f"it must be one of {', '.join(choices)}")
        return str(value)

    return parse


def _setting(default: Any, doc: str, parse: Callable[[Any], Any] = _text) -> Any:
    """A setting's default, the sentence that explains it, and the parser of its value."""
    return field(default=default, metadata={"doc": doc, "parse": parse})


# A plain dataclass rather than a pydantic model: settings are read on every launch, before My
# day paints, and pydantic alone cost a fifth of a bare Textual app's start (benchmarks/launch.py).
@dataclass(frozen=True)
class Settings:
    """The settings acctmgr runs with."""

    database_url: str | None = _setting(
        None,
        "SQLAlchemy URL of the database; unset means SQLite in the user data dir.",
        _database_url,
    )
    login: str | None = _setting(
        None, "The user to act as; empty means the operating-system login."
    )
    theme: str = _setting("textual-dark", "The colour theme of the terminal UI.")
    busy_timeout_seconds: float = _setting(
        5.0, "How long SQLite waits for another writer before giving up.", _number(0, 600)
    )
    smtp_host: str = _setting(
        "localhost", "The SMTP server that the outbox sender delivers through."
    )
    smtp_port: int = _setting(25, "The SMTP server's port.", _number(1, 65535, whole=True))
    smtp_username: str | None = _setting(None, "The SMTP login, when the server needs one.")
    smtp_password: str | None = _setting(None, "The SMTP password, when the server needs one.")
    smtp_starttls: bool = _setting(
        False, "Whether to upgrade the SMTP connection with STARTTLS.", _flag
    )
    smtp_timeout_seconds: float = _setting(
        30.0,
        "How long to wait for the SMTP server to answer before trying again later.",
        _number(0, 600),
    )
    mail_from: str = _setting(
        "acctmgr@localhost", "The sender address of every e-mail acctmgr sends."
    )
    log_level: str = _setting(
        "INFO", "How much the log file records.", _one_of("DEBUG", "INFO", "WARNING", "ERROR")
    )
    erp_drop_folder: str | None = _setting(
        None,
        "The folder the worker writes ERP exports to (JSON and CSV); unset means a folder erp "
        "in the data dir, made when first needed. A folder set here must exist: the exports "
        "wait until it does.",
    )


SETTING_NAMES = tuple(setting.name for setting in fields(Settings))


SECRET_FIELDS = frozenset({"smtp_password"})


@dataclass(frozen=True)
class LoadedSettings:
    """The effective settings, with the layer each value came from."""

    settings: Settings
    sources: dict[str, Source]
    paths: Paths

    @property
    def database_url(self) -> str:
        """The URL to open: the configured one, else the embedded SQLite file."""
        if self.settings.database_url:
            return self.settings.database_url
        return f"sqlite:///{self.paths.default_database}"

    @property
    def erp_drop_folder(self) -> Path:
        """The folder ERP exports are written to: the configured one, else erp in the data dir."""
        if self.settings.erp_drop_folder:
            return Path(self.settings.erp_drop_folder).expanduser()
        return self.paths.default_erp_drop_folder

    def describe(self) -> list[tuple[str, str, Source]]:
        """Rows of (name, shown value, source) for `config show`; secrets are masked."""
        rows: list[tuple[str, str, Source]] = []
        for name in SETTING_NAMES:
            value = getattr(self.settings, name)
            shown = "(set)" if name in SECRET_FIELDS and value else _show(value)
            if name == "database_url" and value is None:
                shown = f"{self.database_url}  (embedded SQLite)"
            if name == "erp_drop_folder" and not value:
                shown = f"{self.erp_drop_folder}  (in the data dir)"
            rows.append((name, shown, self.sources[name]))
        return rows


def load_settings(
    flags: dict[str, Any] | None = None,
    *,
    environ: dict[str, str] | None = None,
    paths: Paths | None = None,
) -> LoadedSettings:
    """Merge defaults < config file < environment < flags into validated settings.

    Raises ConfigError naming the file, variable or flag whose value cannot be used.
    """
    env = dict(os.environ if environ is None else environ)
    paths = paths or Paths.from_environment(env)
    values: dict[str, Any] = {}
    sources: dict[str, Source] = dict.fromkeys(SETTING_NAMES, "default")

    for name, value in _read_config_file(paths.config_file).items():
        values[name] = value
        sources[name] = "config file"
    for name in SETTING_NAMES:
        raw = env.get(ENV_PREFIX + name.upper())
        if raw is not None:
            values[name] = raw if raw != "" else None
            sources[name] = "environment"
    for name, value in (flags or {}).items():
        if value is not None:
            values[name] = value
            sources[name] = "command line"

    parsed: dict[str, Any] = {}
    for setting in fields(Settings):
        value = values.get(setting.name)
        if value is None:
            continue
        try:
            parsed[setting.name] = setting.metadata["parse"](value)
        except ValueError as error:
            where = {
                "config file": f" in {paths.config_file}",
                "environment": f" in the environment variable {ENV_PREFIX}{setting.name.upper()}",
                "command line": " on the command line",
                "default": "",
            }[sources[setting.name]]
            raise ConfigError(f"The setting {setting.name}{where} is not valid: {error}.") from None
    settings = Settings(**parsed)
    return LoadedSettings(settings, sources, paths)


def save_setting(paths: Paths, name: str, value: str) -> None:
    """Write one setting into the config file, keeping the others (used for the theme)."""
    if name not in SETTING_NAMES:
        raise ConfigError(f"There is no setting called {name}.")
    current = _read_config_file(paths.config_file)
    current[name] = value
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    import tomli_w  # only when saving: not on every launch

    paths.config_file.write_text(tomli_w.dumps(current), encoding="utf-8")


def _read_config_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise ConfigError(f"The config file {path} cannot be read: {error.strerror}.") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"The config file {path} is not valid TOML: {error}.") from None
    unknown = sorted(set(data) - set(SETTING_NAMES))
    if unknown:
        raise ConfigError(f"The config file {path} has an unknown setting: {unknown[0]}.")
    return data


def _show(value: object) -> str:
    return "(empty)" if value is None else str(value)
