"""What a quote editor's form holds and shows, with no Textual in it: the fields of a quote, the
values it starts from, the edit that typed values make, and the totals text.

Field names are the form's ids: ``starts_on``, ``territory``, the terms (``term_months``,
``notice_days``, ``payment_terms_days``), and ``qty_<line id>`` and ``disc_<line id>`` for each
line (an included item has no discount).
"""

from __future__ import annotations

from datetime import date
from functools import partial

from pydantic import ValidationError

from acctmgr.domain.catalogue import SkuKind
from acctmgr.errors import InvalidInput
from acctmgr.services.kernel import territories
from acctmgr.services.kernel.money import format_money, line_list
from acctmgr.services.kernel.validation import problem_sentence
from acctmgr.services.sales.quote_views import QuoteView
from acctmgr.services.sales.quotes import QuoteEdit, QuoteLineIn, QuotePreview
from acctmgr.widgets.approvals_needed import approvals_lines
from acctmgr.widgets.form import FormField
from acctmgr.widgets.text import safe

# The quote's terms: each field's label and placeholder, and what it is called in a sentence.
TERM_FIELDS = {
    "term_months": ("Term (months)", "1-120", "the term"),
    "notice_days": ("Notice (days)", "0-365, before a term ends", "the notice period"),
    "payment_terms_days": ("Payment terms (days)", "0-180, to pay an invoice", "the payment terms"),
}


def quote_fields(quote: QuoteView) -> list[FormField]:
    """The date, the territory, the terms, and a quantity and discount for each line."""
    found = [
        FormField("starts_on", "Effective from", placeholder="YYYY-MM-DD"),
        territory_field(quote.locale, "a country or region where the customer may use it"),
        *(
            FormField(name, label, placeholder=placeholder)
            for name, (label, placeholder, _) in TERM_FIELDS.items()
        ),
    ]
    for line in quote.lines:
        name = f"{line.position}. {line.description}"[:20]
        found.append(FormField(f"qty_{line.id}", name, placeholder="quantity"))
        if line.kind is not SkuKind.INCLUDED:
            found.append(FormField(f"disc_{line.id}", "   discount %", placeholder="0-100"))
    return found


def territory_field(locale: str, placeholder: str) -> FormField:
    """The territory of use, picked from the list: names in ``locale`` complete as typed (→)."""
    return FormField(
        "territory",
        "Territory of use",
        placeholder=placeholder,
        complete=partial(territories.completion, locale=locale),
    )


def stored_values(quote: QuoteView, today: date) -> dict[str, str]:
    """The form as the quote stands; a quote with no date yet starts today."""
    values = {
        "starts_on": (quote.starts_on or today).isoformat(),
        "territory": quote.territory_name,
        **{name: str(getattr(quote, name)) for name in TERM_FIELDS},
    }
    for line in quote.lines:
        values[f"qty_{line.id}"] = str(line.quantity)
        values[f"disc_{line.id}"] = f"{line.discount_pct.normalize():f}"
    return values


def typed_edit(quote: QuoteView, values: dict[str, str]) -> QuoteEdit:
    """The typed form as a QuoteEdit; a bad number is refused beside its own field."""
    lines = []
    for line in quote.lines:
        try:
            typed = QuoteLineIn.model_validate(
                {
                    "line_id": line.id,
                    "quantity": values.get(f"qty_{line.id}", ""),
                    "discount_pct": values.get(f"disc_{line.id}", "0"),
                }
            )
        except ValidationError as error:
            problem = error.errors()[0]
            prefix = "qty" if problem["loc"][:1] == ("quantity",) else "disc"
            raise InvalidInput(problem_sentence(problem), field=f"{prefix}_{line.id}") from None
        # The money limit, here too, so its sentence lands beside the quantity that broke it.
        line_list(line.list_price_minor, typed.quantity, field=f"qty_{line.id}")
        lines.append(typed)
    return QuoteEdit(
        lines=lines,
        starts_on=_day(values.get("starts_on", ""), "starts_on"),
        territory=values.get("territory", ""),
        **{name: values.get(name, "") for name in TERM_FIELDS},
    )


def stored_edit(quote: QuoteView) -> QuoteEdit | None:
    """The quote as stored, as an edit; None before it has a date."""
    if quote.starts_on is None:
        return None
    return QuoteEdit(
        lines=[
            QuoteLineIn(line_id=line.id, quantity=line.quantity, discount_pct=line.discount_pct)
            for line in quote.lines
        ],
        starts_on=quote.starts_on,
        # As the form shows it, so that an untouched form equals the quote as stored.
        territory=quote.territory_name,
        **{name: getattr(quote, name) for name in TERM_FIELDS},
    )


def invalid_total_text(quote: QuoteView, field: str | None, problem: str = "") -> str:
    """What the totals say while a field holds what cannot be priced: no stale figure, and
    which field to fix (or the problem, when no one field holds it)."""
    what = ""
    positions = {line.id: line.position for line in quote.lines}
    for prefix, name in (("qty_", "quantity"), ("disc_", "discount")):
        if field and field.startswith(prefix) and field[len(prefix) :].isdigit():
            what = f"line {positions.get(int(field[len(prefix) :]), '?')}'s {name}"
    if field == "starts_on":
        what = "the effective date"
    elif field == "territory":
        what = "the territory of use"
    elif field in TERM_FIELDS:
        what = TERM_FIELDS[field][2]
    if what:
        return f"Total: — (fix {what})"
    return f"Total: — ({problem.rstrip('.') or 'fix the form'})"


def totals_text(quote: QuoteView, preview: QuotePreview | None) -> str:
    """Each line's list and sold price, the totals, and the approvals the quote needs: as
    typed when there is a preview, as stored when not."""

    def money(minor: int | None) -> str:
        return format_money(minor or 0, quote.currency)

    net = preview.net_total_minor if preview else quote.net_total_minor
    listed = preview.list_total_minor if preview else quote.list_total_minor
    needs = preview.approvals_needed if preview else quote.approvals_needed
    nets = preview.line_nets if preview else {line.id: line.net_minor for line in quote.lines}
    rows = [] if quote.lines else ["No lines yet: Ctrl+N adds one from the catalogue."]
    for line in quote.lines:
        kind = line.kind.label.lower() if line.kind else "outside the catalogue"
        if line.agreed_price:  # its discount is the price agreed with the account
            kind += ", agreed price"
        rows.append(f"  {line.position}. {safe(line.description)[:50]} ({kind})")
        rows.append(
            f"       list {money(line.list_price_minor)} each → sold {money(nets.get(line.id, 0))}"
        )
        if line.consume_by:
            rows.append(f"       to be used by {line.consume_by:%d %b %Y}")
        if line.statement_of_work:
            rows.append(f"       SOW: {safe(line.statement_of_work)[:60]}")
    rows.append(f"Total list {money(listed)} · sold {money(net)}")
    if quote.reduction_minor is not None:
        reduction = preview.reduction_minor if preview else quote.reduction_minor
        rows[-1] += f" a year · reduction {money(reduction)}"
    if needs:
        rows += ["Approvals this quote needs:", *approvals_lines(needs)]
    else:
        rows.append("Approvals this quote needs: none")
    return "\n".join(rows)


def _day(text: str, field: str) -> date:
    # The sentence of the wizard steps' parse_day (screens/retention), which widgets may not
    # import; one of the two should move to services/kernel beside parse_money.
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput("A date is written like 2027-04-01.", field=field) from None


def typed_over(
    before: dict[str, str], now: dict[str, str], typed: dict[str, str]
) -> tuple[dict[str, str], list[str]]:
    """What the form shows once the quote is loaded again: the stored values ``now``, with what
    the user changed from ``before`` laid over them; and the fields where someone else stored
    a different value meanwhile (a clash the user must look at, never overwritten unseen)."""
    mine = {name: value for name, value in typed.items() if before.get(name) != value}
    clashes = [
        name
        for name, value in mine.items()
        if name in now and now[name] != before.get(name) and now[name] != value
    ]
    kept = {name: value for name, value in mine.items() if name in now and name not in clashes}
    return {**now, **kept}, clashes
