"""Shared shapes of what use cases return."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict

T = TypeVar("T")


class ReadModel(BaseModel):
    """A read-only view of a record, built from the ORM object inside the transaction."""

    model_config = ConfigDict(from_attributes=True, frozen=True)


class Page(BaseModel, Generic[T]):
    """One page of a list searched and paged in the database."""

    model_config = ConfigDict(frozen=True)

    items: list[T]
    offset: int
    limit: int
    # Rows matching before paging; None when not counted (counting a big table costs time).
    total: int | None
