"""The publishable service catalogue: HTML, Markdown and CSV, escaped, and from the CLI."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import update

from acctmgr.clock import AdjustableClock
from acctmgr.db import Database
from acctmgr.errors import InvalidInput
from acctmgr.models import Package, SkuVersion
from acctmgr.services.catalogue import inputs, packages
from acctmgr.services.catalogue import skus as catalogue
from acctmgr.services.catalogue.export import FORMATS, export, published_catalogue
from acctmgr.services.catalogue.inputs import PackageIn
from acctmgr.services.kernel.context import Context
from tests.cli_support import run_acctmgr
from tests.conftest import NOW, sqlite_copy

HOSTILE = "<script>alert('x')</script> | Pipe & [link](http://evil) *bold*"
# What may not reach a terminal or a file raw: every control character but line feeds, tabs and
# the carriage returns that end CSV rows.
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")


def _catalogue(admin: Context) -> None:
    """A service, a usage SKU, an included item, a retired SKU and a starter pack."""
    catalogue.create_sku(
        admin,
        inputs.sku_input(
            {
                "code": "SRV-WS",
                "name": HOSTILE,
                "kind": "service",
                "description": "Line one\nline two",
                "contents": '=HYPERLINK("http://evil")',
                "consumption_months": "12",
                "prices": "USD 1,500; EUR 1,380",
            }
        ),
    )
    catalogue.create_sku(
        admin,
        inputs.sku_input(
            {
                "code": "PV-500K",
                "name": "Page views",
                "kind": "usage",
                "included_volume": "500000",
                "prices": "USD 6,000",
                "tiers": "USD 500000 0.01; USD 1000000 0.02",
            }
        ),
    )
    catalogue.create_sku(
        admin,
        inputs.sku_input(
            {"code": "INC-SEATS", "name": "Training seats", "kind": "included", "prices": "USD 0"}
        ),
    )
    old = catalogue.create_sku(
        admin,
        inputs.sku_input(
            {"code": "OLD-1", "name": "Retired thing", "kind": "one_off", "prices": "USD 10"}
        ),
    )
    catalogue.retire_sku(admin, old.id, old.version)
    packages.save_package(
        admin,
        PackageIn.model_validate(
            {
                "code": "STARTER",
                "name": "Starter pack",
                "items": "SRV-WS x1, INC-SEATS x5",
                "is_starter_pack": True,
            }
        ),
    )


class _Texts(HTMLParser):
    """The elements and the text of an HTML document, as a browser would read them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_shows_every_sku_fact_and_escapes_everything(admin: Context) -> None:
    """A <script> name stays text; deadline, volumes, tiers, prices and packages are there."""
    _catalogue(admin)
    page = export(published_catalogue(admin), "html")
    parser = _Texts()
    parser.feed(page)
    assert "script" not in parser.tags
    assert "a" not in parser.tags
    text = "".join(parser.text)
    assert HOSTILE in text
    for phrase in (
        "To be used within 12 months of the contract start",
        "500,000 page views a month included",
        "above 500,000: 0.01 USD each",
        "above 1,000,000: 0.02 USD each",
        "1,500.00 USD",
        "1,380.00 EUR",
        "Included",
        "Starter pack (starter pack for new customers)",
        "INC-SEATS",
    ):
        assert phrase in text, phrase
    assert "OLD-1" not in text  # retired SKUs are not published
    assert "Line one<br>line two" in page


def test_one_currency_shows_only_its_prices(admin: Context) -> None:
    """With a currency, the other price books are left out; a SKU without one says so."""
    _catalogue(admin)
    page = export(published_catalogue(admin), "md", "eur")
    assert "1,380.00 EUR" in page
    assert "USD" not in page
    assert "Not sold in EUR" in page


def test_a_currency_no_sku_is_priced_in_is_refused_naming_those_in_use(admin: Context) -> None:
    """Not "Not sold in XYZ" for every SKU: one sentence with the currencies there are."""
    with pytest.raises(InvalidInput) as nothing:
        export(published_catalogue(admin), "html", "USD")
    assert nothing.value.message == "No SKU is priced in USD; no SKU has a price yet."
    _catalogue(admin)
    with pytest.raises(InvalidInput) as refused:
        export(published_catalogue(admin), "csv", " xyz")
    assert refused.value.message == ("No SKU is priced in XYZ; the currencies in use are EUR, USD.")
    assert refused.value.field == "currency"


def test_markdown_keeps_each_sku_on_one_table_row(admin: Context) -> None:
    """Pipes and Markdown syntax are escaped, so the row has exactly its eight cells."""
    _catalogue(admin)
    page = export(published_catalogue(admin), "md")
    row = next(line for line in page.splitlines() if line.startswith("| SRV-WS"))
    unescaped_pipes = row.replace("\\|", "").count("|")
    assert unescaped_pipes == 9
    assert "\\<script\\>" in row
    assert "\\[link\\]" in row
    assert "\\*bold\\*" in row
    assert "Line one line two" in row
    assert "| STARTER |" in page


def test_csv_has_a_row_per_sku_and_package(admin: Context) -> None:
    """Read back by the csv module: the hostile name whole, formulas defused, items listed."""
    _catalogue(admin)
    rows = list(csv.DictReader(io.StringIO(export(published_catalogue(admin), "csv"))))
    assert [(row["record"], row["code"]) for row in rows] == [
        ("sku", "INC-SEATS"),
        ("sku", "PV-500K"),
        ("sku", "SRV-WS"),
        ("starter_pack", "STARTER"),
    ]
    service = rows[2]
    assert service["name"] == HOSTILE
    assert service["contents"] == '\'=HYPERLINK("http://evil")'
    assert service["description"] == "Line one\nline two"
    assert service["consumption_deadline"].startswith("To be used within 12 months")
    assert rows[1]["included_volume"] == "500000"
    assert rows[0]["list_price"] == "Included"
    assert rows[3]["items"] == "SRV-WS x1; INC-SEATS x5"


def test_csv_defuses_a_formula_after_a_separator_of_another_locale(admin: Context) -> None:
    """`Harmless;=1+1` would be a live formula in a spreadsheet that splits cells on `;`."""
    _catalogue(admin)
    for code, contents in (("SRV-SEMI", "Harmless;=1+1"), ("SRV-TAB", "x\t+1")):
        catalogue.create_sku(
            admin,
            inputs.sku_input(
                {
                    "code": code,
                    "name": "Workshop",
                    "kind": "service",
                    "contents": contents,
                    "consumption_months": "6",
                    "prices": "USD 100",
                }
            ),
        )
    rows = {
        row["code"]: row
        for row in csv.DictReader(io.StringIO(export(published_catalogue(admin), "csv")))
    }
    assert rows["SRV-SEMI"]["contents"] == "Harmless;'=1+1"
    assert rows["SRV-TAB"]["contents"] == "x\t'+1"
    assert rows["SRV-WS"]["list_price"] == "1,380.00 EUR; 1,500.00 USD"


def test_an_unknown_format_is_one_sentence(admin: Context) -> None:
    """Only html, md and csv are offered."""
    with pytest.raises(InvalidInput, match="html, md or csv, not 'pdf'"):
        export(published_catalogue(admin), "pdf")


def test_the_demo_catalogue_has_each_kind_of_thing_to_show(
    tmp_path: Path, sqlite_template: Path
) -> None:
    """The demo sells a starter pack, deadlines, page-view tiers, included and on-site items."""
    from acctmgr.demo.seed import MIN_ACCOUNTS, seed_demo

    database = Database(sqlite_copy(sqlite_template, tmp_path / "demo.db"))
    seed_demo(database, accounts=MIN_ACCOUNTS, now=NOW, offer_stories=False)
    published = published_catalogue(Context(database, AdjustableClock(NOW), None))
    database.dispose()
    starter = next(package for package in published.packages if package.is_starter_pack)
    assert {item.sku_code for item in starter.items} >= {"SRV-ONBOARD", "INC-SEATS"}
    skus = {sku.code: sku for sku in published.skus}
    assert skus["SRV-ONBOARD"].consumption_months == 6
    assert skus["INC-SEATS"].kind.value == "included"
    usage = skus["PV-500K"]
    assert usage.included_volume == 500_000
    assert len([tier for tier in usage.tiers if tier.currency == "USD"]) == 2
    assert skus["SRV-ONSITE"].onsite_support


def _older_rows_with_control_characters(admin: Context) -> None:
    """Text stored before names and free text refused control characters."""
    with admin.database.write_session() as session:
        session.execute(
            update(SkuVersion).values(
                name="Evil\x1b]0;pwned\x07\x1b[2J", contents="Over\rwritten\x9b"
            )
        )
        session.execute(update(Package).values(description="Pack\x1b[31m red"))
        session.commit()


def test_older_rows_control_characters_are_exported_as_pictures(admin: Context) -> None:
    """In HTML, Markdown and CSV, an escape sequence is shown, never sent: ESC becomes ␛."""
    _catalogue(admin)
    _older_rows_with_control_characters(admin)
    published = published_catalogue(admin)
    for fmt in FORMATS:
        text = export(published, fmt)
        assert not RAW_CONTROL.search(text), fmt
        assert "pwned␇" in text, fmt
        assert "written\ufffd" in text, fmt  # Markdown makes each cell one line first
        assert "Pack␛" in text, fmt


# --- the command line ---------------------------------------------------------------------------


def test_the_cli_exports_to_a_file_and_to_stdout(
    admin: Context, database_url: str, tmp_path: Path
) -> None:
    """`acctmgr catalogue export` writes the file named, or the standard output."""
    _catalogue(admin)
    output = tmp_path / "catalogue.html"
    written = run_acctmgr(
        tmp_path, database_url, "catalogue", "export", "--format", "html", "--output", str(output)
    )
    assert written.returncode == 0, written.stderr
    assert written.stdout == ""
    assert "Wrote the service catalogue" in written.stderr
    assert output.read_text(encoding="utf-8") == export(published_catalogue(admin), "html")
    printed = run_acctmgr(tmp_path, database_url, "catalogue", "export", "--format", "csv")
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.replace("\r\n", "\n") == export(
        published_catalogue(admin), "csv"
    ).replace("\r\n", "\n")


def test_the_cli_exports_older_rows_without_raw_control_characters(
    admin: Context, database_url: str, tmp_path: Path
) -> None:
    """Neither the standard output nor the file written gets an escape sequence to run."""
    _catalogue(admin)
    _older_rows_with_control_characters(admin)
    output = tmp_path / "catalogue.html"
    written = run_acctmgr(tmp_path, database_url, "catalogue", "export", "--output", str(output))
    assert written.returncode == 0, written.stderr
    page = output.read_text(encoding="utf-8")
    assert "pwned␇" in page
    assert not RAW_CONTROL.search(page)
    printed = run_acctmgr(tmp_path, database_url, "catalogue", "export", "--format", "csv")
    assert printed.returncode == 0, printed.stderr
    assert "pwned␇" in printed.stdout
    assert not RAW_CONTROL.search(printed.stdout)


def test_the_cli_refuses_a_bad_format_currency_or_file_in_one_sentence(
    admin: Context, database_url: str, tmp_path: Path
) -> None:
    """A format not offered, a currency nothing is priced in, a file that cannot be written: one
    `acctmgr:` line, status 1, with any control character of what was typed shown, not sent."""
    _catalogue(admin)
    for args, phrase in (
        (("--format", "pdf"), "html, md or csv"),
        (("--currency", "\x1b]0;pwned\x07"), "No SKU is priced in ␛]0;PWNED␇;"),
        (("--output", str(tmp_path / "missing" / "\x1b[2Jx.html")), "␛[2Jx.html"),
    ):
        refused = run_acctmgr(tmp_path, database_url, "catalogue", "export", *args)
        assert refused.returncode == 1
        lines = refused.stderr.strip().splitlines()
        assert len(lines) == 1, refused.stderr
        assert lines[0].startswith("acctmgr: ")
        assert phrase in lines[0]
        assert not RAW_CONTROL.search(refused.stderr)
