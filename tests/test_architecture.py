"""The layers hold: nothing below the screens imports Textual."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import acctmgr.models
import acctmgr.services


def _modules(package: object) -> list[str]:
    path = package.__path__  # type: ignore[attr-defined]
    prefix = package.__name__ + "."  # type: ignore[attr-defined]
    return [info.name for info in pkgutil.walk_packages(path, prefix)]


def test_models_and_services_never_import_textual() -> None:
    """Importing every module of acctmgr.models and acctmgr.services leaves textual unloaded."""
    modules = [
        "acctmgr.models",
        "acctmgr.services",
        *_modules(acctmgr.models),
        *_modules(acctmgr.services),
    ]
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert len(modules) > 10
    assert result.stdout.strip() == ""


def test_cli_sub_commands_do_not_load_textual() -> None:
    """Admin sub-commands stay quick: importing the CLI does not import Textual."""
    script = "import sys, acctmgr.cli; print('textual' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_the_domain_vocabulary_loads_no_orm() -> None:
    """Every module of acctmgr.domain imports without SQLAlchemy, pydantic or Textual."""
    import acctmgr.domain

    modules = ["acctmgr.domain", *_modules(acctmgr.domain)]
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "heavy = ('sqlalchemy', 'pydantic', 'textual')\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert len(modules) > 5
    assert result.stdout.strip() == ""
