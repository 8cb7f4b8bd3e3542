"""What every table shares: naming conventions, exact types, versions and timestamps.

Money is stored as integer minor units (cents) beside the record's ISO currency code; rates and
percentages as exact ``Numeric``; contract dates as ``date``; instants as timezone-aware UTC.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import DateTime, Dialect, Enum, Integer, MetaData, String, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from acctmgr.domain.records import RecordType

# Stable constraint names let Alembic's batch mode rebuild SQLite tables and let migrations
# drop constraints by name on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An instant that is always timezone-aware UTC in Python, whatever the database keeps.

    A naive datetime is refused on the way in: it is a bug to not know which zone a time is in.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("acctmgr stores timezone-aware datetimes only.")
        value = value.astimezone(UTC)
        # SQLite has no time zones: it keeps the UTC wall time.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class RecordTypeColumn(TypeDecorator[RecordType]):
    """A kind of record, stored as its name (``retention_case``) and read back as a RecordType;
    an unknown name is refused on the way in."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else RecordType(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> RecordType | None:
        return None if value is None else RecordType(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}
    # The kind of record a row of the table is, as the audit trail and every reference name it.
    RECORD: ClassVar[RecordType]


def enum_type(enum_class: type[enum.Enum], name: str = "") -> Enum:
    """A portable enum column: VARCHAR holding the member's value, checked by the database.

    ``name`` names its check constraint where a table has two columns of one enum.
    """
    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=True,
        length=32,
        name=name or enum_class.__name__.lower(),
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class IdMixin:
    id: Mapped[int] = mapped_column(Integer, primary_key=True)


class Timestamps:
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime | None] = mapped_column(default=None)


class Versioned:
    """A record people edit. Its version rises on every save; a save from a stale copy fails.

    SQLAlchemy adds ``WHERE version = :loaded`` to every UPDATE, so of two sessions that loaded
    the same version, only the first to save succeeds; services turn the other into a Conflict.
    """

    version: Mapped[int] = mapped_column(Integer, nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.version}
