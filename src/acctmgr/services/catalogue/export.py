"""The publishable service catalogue: what each active SKU contains, for customers to read.

Customers complained they could not tell what they had signed for; the catalogue they can read
says it in the same words the purchase order uses (the current version's description and
contents), with the consumption deadline of services, the included volume and overage tiers of
usage, and the list prices. It is rendered as HTML, Markdown or CSV, and everything in it is
shown as text: a SKU name with ``<script>`` in it stays letters in every format, and one with an
escape sequence shows it (ESC as ␛) instead of sending it to a terminal.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable, Iterable
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from acctmgr.errors import InvalidInput
from acctmgr.models import Package, PackageItem, Sku, SkuKind, SkuVersion
from acctmgr.services.catalogue.browsing import PriceView, TierView, version_content
from acctmgr.services.kernel.money import format_money
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.text import printable, spreadsheet_cell
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case

FORMATS = ("html", "md", "csv")
Priced = TypeVar("Priced", PriceView, TierView)
# Characters Markdown could read as syntax inside a table cell; escaped with a backslash.
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~!&])")


class PublishedSku(ReadModel):
    code: str
    version_number: int
    name: str
    kind: SkuKind
    description: str
    contents: str
    units: int
    billing_period_months: int | None
    consumption_months: int | None
    included_volume: int | None
    onsite_support: bool
    prices: list[PriceView]
    tiers: list[TierView]


class PublishedItem(ReadModel):
    sku_code: str
    name: str
    quantity: int


class PublishedPackage(ReadModel):
    code: str
    name: str
    description: str
    is_starter_pack: bool
    items: list[PublishedItem]


class PublishedCatalogue(ReadModel):
    skus: list[PublishedSku]
    packages: list[PublishedPackage]


@use_case("catalogue.publish", write=False, needs_actor=False)
def published_catalogue(uow: UnitOfWork) -> PublishedCatalogue:
    """The active SKUs as their current versions describe them, and the active packages.

    Needs no signed-in user: the catalogue is meant to be published.
    """
    versions = uow.session.scalars(
        select(SkuVersion)
        .join(Sku, Sku.current_version_id == SkuVersion.id)
        .where(Sku.retired_at.is_(None))
        .options(selectinload(SkuVersion.prices), selectinload(SkuVersion.usage_tiers))
        .order_by(Sku.code)
    )
    codes = dict(uow.session.execute(select(Sku.id, Sku.code)).all())
    skus = [_published_sku(version, codes[version.sku_id]) for version in versions]
    names = {sku.code: sku.name for sku in skus}
    packages = uow.session.scalars(
        select(Package)
        .where(Package.retired_at.is_(None))
        .options(selectinload(Package.items))
        .order_by(Package.is_starter_pack.desc(), Package.code)
    )
    return PublishedCatalogue(
        skus=skus,
        packages=[_published_package(package, codes, names) for package in packages],
    )


def _published_sku(version: SkuVersion, code: str) -> PublishedSku:
    return PublishedSku(code=code, version_number=version.number, **version_content(version))


def _published_package(
    package: Package, codes: dict[int, str], names: dict[str, str]
) -> PublishedPackage:
    return PublishedPackage(
        code=package.code,
        name=package.name,
        description=package.description,
        is_starter_pack=package.is_starter_pack,
        items=[_item(item, codes, names) for item in sorted(package.items, key=lambda i: i.id)],
    )


def _item(item: PackageItem, codes: dict[int, str], names: dict[str, str]) -> PublishedItem:
    code = codes[item.sku_id]
    return PublishedItem(sku_code=code, name=names.get(code, ""), quantity=item.quantity)


def export(catalogue: PublishedCatalogue, fmt: str, currency: str | None = None) -> str:
    """The catalogue as ``html``, ``md`` or ``csv`` text; prices in one currency if given.

    Raises InvalidInput for another format, and for a currency no published SKU is priced in
    (naming those that are), rather than saying "Not sold in" it for every SKU.
    """
    renderers: dict[str, Callable[[PublishedCatalogue, str | None], str]] = {
        "html": _html,
        "md": _markdown,
        "csv": _csv,
    }
    renderer = renderers.get(fmt.strip().lower())
    if renderer is None:
        raise InvalidInput(
            f"The catalogue can be exported as html, md or csv, not {fmt!r}.", field="format"
        )
    wanted = (currency or "").strip().upper() or None
    if wanted is not None:
        _check_priced_in(catalogue, wanted)
    # Rows stored before names refused control characters may hold some: shown, never sent.
    return printable(renderer(catalogue, wanted))


def currencies_in_use(catalogue: PublishedCatalogue) -> list[str]:
    """The currencies the published SKUs have a list or an overage price in, in order."""
    priced = {price.currency for sku in catalogue.skus for price in sku.prices}
    return sorted(priced | {tier.currency for sku in catalogue.skus for tier in sku.tiers})


def _check_priced_in(catalogue: PublishedCatalogue, currency: str) -> None:
    in_use = currencies_in_use(catalogue)
    if currency in in_use:
        return
    if not in_use:
        those = "no SKU has a price yet"
    elif len(in_use) == 1:
        those = f"the currency in use is {in_use[0]}"
    else:
        those = f"the currencies in use are {', '.join(in_use)}"
    # What was typed is quoted back with its control characters shown, wherever it is shown.
    raise InvalidInput(f"No SKU is priced in {printable(currency)}; {those}.", field="currency")


# --- what each SKU says, in words -----------------------------------------------------------------


def deadline_text(sku: PublishedSku) -> str:
    """``To be used within 12 months of the contract start``, for services."""
    if sku.consumption_months is None:
        return ""
    months = "month" if sku.consumption_months == 1 else "months"
    return f"To be used within {sku.consumption_months} {months} of the contract start"


def usage_text(sku: PublishedSku, currency: str | None) -> str:
    """The included volume and what each unit above it costs."""
    if sku.included_volume is None:
        return ""
    parts = [f"{sku.included_volume:,} page views a month included"]
    parts += [
        f"above {tier.from_volume:,}: {format_money(tier.unit_price_minor, tier.currency)} each"
        for tier in _in_currency(sku.tiers, currency)
    ]
    return "; ".join(parts)


def prices_text(sku: PublishedSku, currency: str | None) -> str:
    """The list prices, ``Included`` for included items."""
    if sku.kind is SkuKind.INCLUDED:
        return "Included"
    prices = _in_currency(sku.prices, currency)
    if not prices:
        return f"Not sold in {currency}" if currency else "On request"
    amounts = "; ".join(format_money(p.list_price_minor, p.currency) for p in prices)
    if sku.kind is not SkuKind.SUBSCRIPTION:
        return amounts
    # A subscription's list price is a year's; the billing period says how it is invoiced.
    months = sku.billing_period_months
    return f"{amounts} a year" + (f", billed every {months} months" if months else "")


def _in_currency(entries: list[Priced], currency: str | None) -> list[Priced]:
    return [entry for entry in entries if currency is None or entry.currency == currency]


def _facts(sku: PublishedSku, currency: str | None) -> list[tuple[str, str]]:
    """The label/value lines shown for a SKU, leaving out those it has none of."""
    facts = [
        ("Kind", sku.kind.label),
        ("Contents", sku.contents),
        ("Units", str(sku.units) if sku.units != 1 else ""),
        ("Consumption deadline", deadline_text(sku)),
        ("Included volume and overage", usage_text(sku, currency)),
        ("On-site support", "Yes" if sku.onsite_support else ""),
        ("List price", prices_text(sku, currency)),
    ]
    return [(label, value) for label, value in facts if value]


def _items_text(package: PublishedPackage) -> str:
    return "; ".join(f"{item.sku_code} {item.name} x{item.quantity}" for item in package.items)


# --- HTML ---------------------------------------------------------------------------------------

STYLE = (
    "body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
    "section{border-top:1px solid #ccc;padding:.5rem 0}dt{font-weight:bold}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem}"
)


def _html(catalogue: PublishedCatalogue, currency: str | None) -> str:
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        '<head><meta charset="utf-8"><title>Service catalogue</title>',
        f"<style>{STYLE}</style></head>",
        "<body>",
        "<h1>Service catalogue</h1>",
    ]
    for sku in catalogue.skus:
        out.append(f'<section id="sku-{e(sku.code)}">')
        out.append(f"<h2>{e(sku.code)} &mdash; {e(sku.name)}</h2>")
        if sku.description:
            out.append(f"<p>{_html_lines(sku.description)}</p>")
        out.append("<dl>")
        for label, value in _facts(sku, currency):
            out.append(f"<dt>{e(label)}</dt><dd>{_html_lines(value)}</dd>")
        out.append("</dl>")
        out.append("</section>")
    if catalogue.packages:
        out.append("<h1>Packages</h1>")
    for package in catalogue.packages:
        starter = " (starter pack for new customers)" if package.is_starter_pack else ""
        out.append(f'<section id="package-{e(package.code)}">')
        out.append(f"<h2>{e(package.code)} &mdash; {e(package.name)}{starter}</h2>")
        if package.description:
            out.append(f"<p>{_html_lines(package.description)}</p>")
        out.append("<table><tr><th>SKU</th><th>Name</th><th>Quantity</th></tr>")
        for item in package.items:
            out.append(
                f"<tr><td>{e(item.sku_code)}</td><td>{e(item.name)}</td>"
                f"<td>{item.quantity}</td></tr>"
            )
        out.append("</table>")
        out.append("</section>")
    out += ["</body>", "</html>", ""]
    return "\n".join(out)


def _html_lines(text: str) -> str:
    return "<br>".join(html.escape(line) for line in text.split("\n"))


# --- Markdown -----------------------------------------------------------------------------------


def _markdown(catalogue: PublishedCatalogue, currency: str | None) -> str:
    out = [
        "# Service catalogue",
        "",
        "| Code | Name | Kind | Description | Contents | Consumption deadline "
        "| Included volume and overage | List price |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for sku in catalogue.skus:
        cells = [
            sku.code,
            sku.name,
            sku.kind.label + (", on-site" if sku.onsite_support else ""),
            sku.description,
            sku.contents + (f" ({sku.units} units)" if sku.units != 1 else ""),
            deadline_text(sku),
            usage_text(sku, currency),
            prices_text(sku, currency),
        ]
        out.append(_md_row(cells))
    if catalogue.packages:
        out += [
            "",
            "## Packages",
            "",
            "| Code | Name | Description | Items |",
            "| --- | --- | --- | --- |",
        ]
    for package in catalogue.packages:
        name = package.name + (
            " (starter pack for new customers)" if package.is_starter_pack else ""
        )
        out.append(_md_row([package.code, name, package.description, _items_text(package)]))
    return "\n".join(out) + "\n"


def _md_row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(_md(cell) for cell in cells) + " |"


def _md(text: str) -> str:
    """A cell's text, read as text: one line, every Markdown character escaped."""
    one_line = " ".join(text.split())
    return MARKDOWN_SPECIAL.sub(r"\\\1", one_line)


# --- CSV ----------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "record",
    "code",
    "name",
    "kind",
    "description",
    "contents",
    "units",
    "consumption_deadline",
    "included_volume",
    "overage",
    "onsite_support",
    "list_price",
    "items",
)


def _csv(catalogue: PublishedCatalogue, currency: str | None) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for sku in catalogue.skus:
        overage = "; ".join(
            f"above {t.from_volume}: {format_money(t.unit_price_minor, t.currency)}"
            for t in _in_currency(sku.tiers, currency)
        )
        writer.writerow(
            _cells(
                "sku",
                sku.code,
                sku.name,
                sku.kind.value,
                sku.description,
                sku.contents,
                str(sku.units),
                deadline_text(sku),
                "" if sku.included_volume is None else str(sku.included_volume),
                overage,
                "yes" if sku.onsite_support else "",
                prices_text(sku, currency),
                "",
            )
        )
    for package in catalogue.packages:
        writer.writerow(
            _cells(
                "starter_pack" if package.is_starter_pack else "package",
                package.code,
                package.name,
                "",
                package.description,
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "; ".join(f"{item.sku_code} x{item.quantity}" for item in package.items),
            )
        )
    return buffer.getvalue()


def _cells(*values: str) -> list[str]:
    return [spreadsheet_cell(value) for value in values]
