"""Shared shapes of what use cases return."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ReadModel(BaseModel):
    """A read-only view of a record, built from the ORM object inside the transaction."""

    model_config = ConfigDict(from_attributes=True, frozen=True)
