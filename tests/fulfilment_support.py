"""A finalised key-account contract to fulfil, made as Customer Services finalises one: its
quote sells a platform subscription, a workshop and an item outside the catalogue; a second
location and a later start date can be set on lines so that a split has something to split."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select

from acctmgr.models import QuoteLine
from acctmgr.services.kernel.context import Context
from acctmgr.services.key_accounts import finalising
from tests.services.key_accounts.finalise_support import (
    STARTS,
    Accepted,
    accepted_contract,
    both_signatures,
    hire,
    signed_pdf,
)

__all__ = ["STARTS", "Finalised", "finalised_contract", "hire"]


@dataclass(frozen=True)
class Finalised:
    accepted: Accepted
    contract_id: int
    line_ids: tuple[int, ...]  # the quote's lines in order: platform, workshop, off-catalogue

    @property
    def account_id(self) -> int:
        return self.accepted.account_id


def finalised_contract(
    admin: Context,
    folder: Path,
    *,
    starts_on: date = STARTS,
    locations: tuple[str, ...] = ("", "", ""),
    line_starts: tuple[date | None, ...] = (None, None, None),
    name: str = "Nova GmbH",
) -> Finalised:
    """A contract finalised by Customer Services ("cs"; ``hire`` first), signed the day before
    today; each quote line gets its location and start date from ``locations`` and
    ``line_starts``."""
    accepted = accepted_contract(admin, name=name, starts_on=starts_on)
    with admin.database.write_session() as session:
        lines = session.scalars(
            select(QuoteLine)
            .where(QuoteLine.quote_id == accepted.quote_id)
            .order_by(QuoteLine.position)
        ).all()
        for line, location, line_start in zip(lines, locations, line_starts, strict=True):
            line.location = location
            line.starts_on = line_start
        line_ids = tuple(line.id for line in lines)
        session.commit()
    cs = admin.as_user("cs")
    sheet = finalising.checklist(cs, accepted.contract_id)
    signed_on = admin.clock.now().date()
    sheet = finalising.record_signatures(
        cs, accepted.contract_id, sheet.version, both_signatures(signed_on)
    )
    finalising.attach_signed_document(cs, accepted.contract_id, signed_pdf(folder))
    finalising.finalise_contract(cs, accepted.contract_id, sheet.version)
    return Finalised(accepted, accepted.contract_id, line_ids)
