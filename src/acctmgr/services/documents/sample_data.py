"""Realistic data for each shipped template: what a preview fills in, and what a save must render.

It has the shape the real documents are made with, because it is built by the same code
(``customer_documents.printed_line`` and ``totals``), so a template that renders the sample
renders the next purchase order or contract too.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from acctmgr.services.company.identity import Identity
from acctmgr.services.documents.customer_documents import company_variables, printed_line, totals
from acctmgr.services.documents.rendering import shipped_template

SAMPLE_COMPANY = Identity(
    name="Northwind Analytics GmbH",
    address="Leopoldstraße 12, 80802 München, DE",
    registration_number="HRB 123456",
    vat_number="DE123456789",
    email="orders@northwind.example",
)


def sample_variables(name: str) -> dict[str, Any]:
    """Realistic data for a shipped template, the same shape its documents are made with.

    Raises InvalidInput for a name acctmgr does not ship.
    """
    shipped_template(name)  # an unknown name is refused with its sentence
    if name == "email.html.j2":
        return {
            "paragraphs": [
                "Dear Ms Berger,",
                "please find attached purchase order Q-000042 for Müller & Söhne GmbH.",
                "Kind regards,\nAlex Seller",
            ]
        }
    lines = _sample_lines()
    return {
        **company_variables(SAMPLE_COMPANY),
        "account": {
            "name": "Müller & Söhne GmbH",
            "iseries_number": "100234",
            "address": "Hauptstraße 5, 80331 München, Bayern, DE",
            "invoice_contact": "Anna Berger <anna.berger@example.com>",
        },
        "currency": "EUR",
        "quote": {
            "number": "Q-000042",
            "starts_on": date(2027, 1, 1),
            "valid_until": date(2026, 12, 15),
            "term_months": 12,
            "notice_days": 60,
            "payment_terms_days": 30,
            "territory": "Germany, Austria and Switzerland",
        },
        "offer": {
            "title": "Analytics for three sites",
            "valid_until": date(2026, 12, 15),
            "renewal": "standing_order",
        },
        "cover_text": "As promised on our call, here is what we discussed for your three sites.",
        "contract": {
            "number": "C-000017",
            "starts_on": date(2027, 1, 1),
            "ends_on": date(2027, 12, 31),
            "term_months": 12,
            "notice_days": 60,
            "territory": "Germany, Austria and Switzerland",
        },
        "supersedes": None,
        "invoice": {
            "number": "INV-000108",
            "issued_on": date(2027, 1, 1),
            "due_on": date(2027, 1, 31),
        },
        "lines": lines,
        "totals": totals(lines),
        "contact_name": "Anna Berger",
        "sender": "Alex Seller",
    }


def _sample_lines() -> list[dict[str, Any]]:
    """One line of each kind a document prints differently."""
    return [
        printed_line(
            "Analytics Suite subscription",
            quantity=1,
            list_price_minor=1_200_000,
            discount_pct=Decimal("10"),
            net_minor=1_080_000,
        ),
        printed_line(
            "Starter pack: onboarding call",
            quantity=1,
            list_price_minor=0,
            discount_pct=Decimal("0"),
            net_minor=0,
            included=True,
        ),
        printed_line(
            "Tagging workshop (one day)",
            quantity=2,
            list_price_minor=150_000,
            discount_pct=Decimal("0"),
            net_minor=300_000,
            consume_by=date(2027, 6, 30),
        ),
        printed_line(
            "Page views",
            quantity=1,
            list_price_minor=250_000,
            discount_pct=Decimal("0"),
            net_minor=250_000,
            included_volume=500_000,
            overage=[(500_000, 2), (2_000_000, 1)],
        ),
        printed_line(
            "Implementation service",
            quantity=1,
            list_price_minor=400_000,
            discount_pct=Decimal("5"),
            net_minor=380_000,
            statement_of_work="Set up tracking on three sites and train two analysts.",
        ),
    ]
