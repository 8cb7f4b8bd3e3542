"""Another program's database is refused in one sentence and left exactly as it was."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text

from acctmgr.config import LoadedSettings, Paths, load_settings
from acctmgr.db import Database, normalise_url
from acctmgr.db.migrate import upgrade
from acctmgr.errors import StorageError
from acctmgr.startup import launch, open_database
from tests.cli_support import assert_one_sentence, run_acctmgr
from tests.conftest import PG_ADMIN_URL, PG_SKIP_REASON, _pg_create, _pg_drop, _pg_url

REFUSAL = "holds another program's tables (customers, orders) and no acctmgr schema"
SHOP = (
    "CREATE TABLE customers (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL)",
    "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, item VARCHAR(40))",
    "INSERT INTO customers VALUES (1, 'Acme'), (2, 'Globex')",
    "INSERT INTO orders VALUES (1, 1, '12 anvils'), (2, 2, 'a volcano')",
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def shop_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a shop program's database: two tables with rows, nothing of acctmgr's."""
    with _new_database(request.param, tmp_path) as url:
        _execute(url, *SHOP)
        yield url


@contextmanager
def _new_database(backend: str, tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty database; on PostgreSQL it is dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'shop.db'}"
        return
    if not PG_ADMIN_URL:
        pytest.skip(PG_SKIP_REASON)
    name = f"acctmgr_t_shop_{uuid.uuid4().hex[:10]}"
    _pg_create(name)
    try:
        yield _pg_url(name)
    finally:
        _pg_drop(name)


def _execute(url: str, *statements: str) -> None:
    engine = create_engine(normalise_url(url))
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
    engine.dispose()


def _contents(url: str) -> dict[str, Any]:
    """Every table's rows, and on SQLite the file's bytes and whether it has a write-ahead log."""
    engine = create_engine(normalise_url(url))
    with engine.connect() as connection:
        found: dict[str, Any] = {
            name: connection.execute(text(f"SELECT * FROM {name} ORDER BY 1")).all()
            for name in inspect(connection).get_table_names()
        }
    engine.dispose()
    if url.startswith("sqlite"):
        path = Path(str(normalise_url(url).database))
        found["file"] = hashlib.sha256(path.read_bytes()).hexdigest()
        found["log"] = path.with_name(f"{path.name}-wal").exists()
    return found


def _settings(tmp_path: Path, url: str) -> LoadedSettings:
    paths = Paths(tmp_path / "data", tmp_path / "config", tmp_path / "logs")
    return load_settings({"database_url": url, "login": "ae"}, environ={}, paths=paths)


def test_another_programs_database_is_refused_untouched(shop_url: str, tmp_path: Path) -> None:
    """users list, db upgrade, opening and launching refuse it, and change nothing."""
    before = _contents(shop_url)
    assert set(before) >= {"customers", "orders"}
    for command in (("users", "list"), ("db", "upgrade")):
        assert_one_sentence(run_acctmgr(tmp_path, shop_url, *command), REFUSAL)
    for start in (open_database, launch):
        with pytest.raises(StorageError, match=r"leaves it untouched"):
            start(_settings(tmp_path, shop_url))
    assert _contents(shop_url) == before


def test_a_program_using_alembic_too_is_not_taken_for_a_newer_acctmgr(shop_url: str) -> None:
    """Another program's Alembic revision is not acctmgr's: the same refusal, nothing changed."""
    _execute(
        shop_url,
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)",
        "INSERT INTO alembic_version VALUES ('ae1027a6acf')",
    )
    before = _contents(shop_url)
    database = Database(shop_url)
    with pytest.raises(StorageError, match=re.escape(REFUSAL)):
        upgrade(database)
    database.dispose()
    assert _contents(shop_url) == before


def test_a_newer_acctmgr_is_told_apart_on_each_database(database: Database) -> None:
    """A revision this version does not know, beside acctmgr's tables, is a newer acctmgr."""
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StorageError, match="written by a newer version of acctmgr"):
        upgrade(database)


@pytest.mark.postgres
def test_tables_in_another_schema_are_another_programs(tmp_path: Path) -> None:
    """On PostgreSQL a schema of another program's counts, though the default one is empty."""
    with _new_database("postgresql", tmp_path) as url:
        _execute(url, "CREATE SCHEMA billing", "CREATE TABLE billing.invoices (id INTEGER)")
        database = Database(url)
        with pytest.raises(StorageError, match=re.escape("tables (billing.invoices)")):
            upgrade(database)
        database.dispose()
        assert _contents(url) == {}  # nothing in the default schema either
