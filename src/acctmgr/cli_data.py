"""``acctmgr export`` and ``acctmgr import``: what other systems are told and bring in, for
admins and scripts (``cli`` adds both groups to the ``acctmgr`` command)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from acctmgr.config import LoadedSettings
from acctmgr.errors import InvalidInput
from acctmgr.services.kernel.text import printable
from acctmgr.startup import open_context


def write_output(output: str, text: str) -> None:
    """Write a command's output to the file ``--output`` names; one sentence when it cannot."""
    try:
        with open(output, "w", encoding="utf-8", newline="") as file:
            file.write(text)
    except OSError as error:
        raise InvalidInput(f"Cannot write {output}: {error.strerror or error}.") from None


@click.group("export")
def export_group() -> None:
    """Export what the ERP is told, for scripts."""


@export_group.command("orders")
@click.option("--since", required=True, metavar="DATE", help="Orders queued on or after this day.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write to this file instead of the standard output.",
)
@click.pass_obj
def export_orders(loaded: LoadedSettings, since: str, output: str | None) -> None:
    """Print the ERP payload of every order exported since DATE (any status), one JSON a line,
    oldest first; each names its idempotency key and the revision it replaces."""
    import json
    from datetime import date

    from acctmgr.services.fulfilment import erp_export

    try:
        day = date.fromisoformat(since.strip())
    except ValueError:
        raise InvalidInput(
            f"--since takes a day as YYYY-MM-DD (2026-11-01, say), not {since!r}."
        ) from None
    payloads = erp_export.order_payloads(open_context(loaded), day)
    text = "".join(
        json.dumps(json.loads(payload), sort_keys=True, ensure_ascii=False) + "\n"
        for payload in payloads
    )
    if output is None:
        click.echo(text, nl=False)
        return
    write_output(output, text)
    click.echo(f"Wrote {len(payloads)} orders to {output}.", err=True)


@click.group("import")
def import_group() -> None:
    """Bring records in from files other systems write."""


@import_group.command("usage")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and count what would change; write nothing.")
@click.pass_obj
def import_usage(loaded: LoadedSettings, file: Path, dry_run: bool) -> None:
    """Import monthly usage from a CSV (account or account_id, metric, month YYYY-MM,
    quantity): new months added, changed ones updated, the same file again changes nothing.
    Usage above what is included becomes overage lines to review. A file with any rejected
    line imports nothing."""
    from acctmgr.services.fulfilment import usage_import

    done = usage_import.import_usage(open_context(loaded), file, dry_run=dry_run)
    for rejected in done.rejected:
        click.echo(printable(rejected.reason))
    if dry_run and not done.rejected:
        click.echo("Dry run: nothing was written.")
    click.echo(done.summary())
    if done.rejected:
        sys.exit(1)
