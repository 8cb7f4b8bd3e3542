"""Money after the order: invoices and credit notes, their tax, payments, reminders, renewals.

Plain Python, free of the ORM: screens read these names without loading the models.
"""

from __future__ import annotations

import enum


class InvoiceStatus(enum.StrEnum):
    DRAFT = "draft"  # drafted by the invoice run; no number yet, still to review or approve
    APPROVED = "approved"  # numbered (gap-free, at approval); waits for the worker to send it
    SENT = "sent"  # the PDF went to the invoice contact through the outbox; never edited again
    PAID = "paid"  # payments cover what it asks (after any credit note)
    CANCELLED = "cancelled"  # a draft or approved invoice that will not be sent; keeps its number


class InvoiceKind(enum.StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"  # after sending, a correction is a credit note, never an edit

    @property
    def label(self) -> str:
        return "Credit note" if self is InvoiceKind.CREDIT_NOTE else "Invoice"


class TaxCategory(enum.StrEnum):
    """A SKU's VAT category; ``code`` is the UNCL5305 code an e-invoice carries."""

    STANDARD = "standard"
    REDUCED = "reduced"
    ZERO = "zero"
    EXEMPT = "exempt"
    REVERSE_CHARGE = "reverse_charge"

    @property
    def code(self) -> str:
        return {
            TaxCategory.STANDARD: "S",
            TaxCategory.REDUCED: "S",  # Peppol knows one standard category at several rates
            TaxCategory.ZERO: "Z",
            TaxCategory.EXEMPT: "E",
            TaxCategory.REVERSE_CHARGE: "AE",
        }[self]

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class PaymentSource(enum.StrEnum):
    MANUAL = "manual"  # Finance typed it in
    ERP = "erp"  # imported from the ERP's payment file (idempotent by invoice number)


class ContractEnd(enum.StrEnum):
    """Why a contract was closed when its validity ended."""

    NOT_RENEWED = "not_renewed"  # a fixed term with no renewal agreed
    TERMINATED = "terminated"  # the customer gave notice


class RenewalPricing(enum.StrEnum):
    """How a renewal offer prices the old package."""

    SAME_PRICES = "same_prices"
    LIST_PRICES = "list_prices"  # the catalogue's current list prices
    UPLIFT = "uplift"  # the old prices raised by a percentage

    @property
    def label(self) -> str:
        return {
            RenewalPricing.SAME_PRICES: "Same prices",
            RenewalPricing.LIST_PRICES: "Current list prices",
            RenewalPricing.UPLIFT: "Uplift %",
        }[self]
