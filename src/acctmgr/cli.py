"""The ``acctmgr`` command: the terminal UI by default, and sub-commands for admins and scripts.

Global flags go before the sub-command (``acctmgr --database-url URL db upgrade``). Every
error a person can cause ends as one sentence on stderr and exit status 1, never a traceback;
anything unexpected is logged in full and reported in one sentence too.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar

import click

from acctmgr import __version__, resume_collection
from acctmgr.cli_data import export_group, import_group, write_output
from acctmgr.config import LoadedSettings, load_settings
from acctmgr.demo import MAX_ACCOUNTS, MIN_ACCOUNTS, check_accounts
from acctmgr.domain.roles import Role
from acctmgr.errors import AcctmgrError, InvalidInput
from acctmgr.services.kernel.text import one_line, printable
from acctmgr.startup import configure_logging, connect, launch, open_context, open_database

log = logging.getLogger("acctmgr.cli")
F = TypeVar("F", bound=Callable[..., Any])


class Cli(click.Group):
    """A group that reports errors as sentences."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AcctmgrError as error:
            # A sentence may quote what was typed; its control characters are shown, not sent.
            click.echo(f"acctmgr: {printable(error.message)}", err=True)
            sys.exit(1)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except Exception:
            log.exception("unexpected failure")
            loaded = ctx.find_object(LoadedSettings)
            where = f" Details are in {loaded.paths.log_dir / 'acctmgr.log'}." if loaded else ""
            click.echo(f"acctmgr: something unexpected went wrong.{where}", err=True)
            sys.exit(1)


@click.group(cls=Cli, invoke_without_command=True)
@click.option(
    "--database-url",
    metavar="URL",
    help="Database to use (sqlite:///PATH, or postgresql://... or postgres://...).",
)
@click.option("--as", "login", metavar="LOGIN", help="Act as this user instead of your OS login.")
@click.version_option(__version__, prog_name="acctmgr")
@click.pass_context
def main(ctx: click.Context, database_url: str | None, login: str | None) -> None:
    """acctmgr: account management workbench. With no command, starts the terminal UI."""
    loaded = load_settings({"database_url": database_url, "login": login})
    ctx.obj = loaded
    configure_logging(loaded)
    if ctx.invoked_subcommand is None:
        run_tui(loaded)
    else:
        resume_collection()  # start-up is over (see acctmgr/__init__.py)


def run_tui(loaded: LoadedSettings) -> None:
    # Imported here: the sub-commands must not pay for loading Textual.
    from acctmgr.app import create_app

    context, day = launch(loaded)
    create_app(context, loaded, day).run()


@main.group()
def config() -> None:
    """Inspect the settings."""


@config.command("show")
@click.pass_obj
def config_show(loaded: LoadedSettings) -> None:
    """Print each effective setting and where it came from."""
    rows = loaded.describe()
    width = max(len(name) for name, _, _ in rows)
    click.echo(f"config file: {one_line(loaded.paths.config_file)}")
    click.echo(f"data dir:    {one_line(loaded.paths.data_dir)}")
    click.echo(f"log dir:     {one_line(loaded.paths.log_dir)}")
    click.echo("")
    for name, value, source in rows:
        click.echo(f"{name.ljust(width)}  {one_line(value)}  [{source}]")


@main.group()
def db() -> None:
    """Create, upgrade and fill the database."""


@db.command("upgrade")
@click.pass_obj
def db_upgrade(loaded: LoadedSettings) -> None:
    """Bring the database to this version's schema (also done on every start)."""
    from acctmgr.db.migrate import upgrade

    database = connect(loaded)
    before, after = upgrade(database)
    if before == after:
        click.echo(f"The database {database.display_name} is up to date (schema {after}).")
    else:
        click.echo(f"Upgraded {database.display_name} from schema {before or 'empty'} to {after}.")


@db.command("seed")
@click.option("--demo", is_flag=True, help="Load the demo company (the only seed there is).")
@click.option(
    "--accounts",
    type=int,
    default=2000,
    show_default=True,
    help=f"How many accounts, {MIN_ACCOUNTS} to {MAX_ACCOUNTS:,}, National/Regional parents "
    "included.",
)
@click.option(
    "--seed",
    "seed",
    type=int,
    default=7,
    show_default=True,
    help="Random seed; the same accounts and seed give the same data.",
)
@click.pass_obj
def db_seed(loaded: LoadedSettings, demo: bool, accounts: int, seed: int) -> None:
    """Fill an empty database with deterministic demo data (users, accounts, open work)."""
    if not demo:
        raise InvalidInput(
            "Demo data is the only kind of seed there is; run acctmgr db seed --demo."
        )
    check_accounts(accounts)  # before the database is created or upgraded for nothing
    import time

    from acctmgr.clock import SystemClock
    from acctmgr.demo.seed import seed_demo

    database = open_database(loaded)
    started = time.perf_counter()
    summary = seed_demo(database, accounts=accounts, seed=seed, now=SystemClock().now())
    elapsed = time.perf_counter() - started
    click.echo(
        f"Loaded demo data into {database.display_name} in {elapsed:.1f} s "
        f"({summary.total:,} rows; seed {seed}):"
    )
    for line in summary.lines():
        click.echo(f"  {line}")


@main.group()
def users() -> None:
    """List, add, deactivate and reactivate users."""


@users.command("list")
@click.pass_obj
def users_list(loaded: LoadedSettings) -> None:
    """Print every user with their roles."""
    from acctmgr.services.people import users as user_service

    context = open_context(loaded)
    for user in user_service.list_users(context):
        roles = ", ".join(sorted(role.label for role in user.roles))
        click.echo(f"{one_line(user.login):16} {one_line(user.name):30} {roles}")


@users.command("add")
@click.argument("login")
@click.option("--name", required=True, help="Full name.")
@click.option("--email", required=True, help="E-mail address.")
@click.option("--segment", "segment_code", help="Segment code.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice([role.value for role in Role]),
    help="A role; repeat for several.",
)
@click.option("--first-admin", is_flag=True, help="Create the first admin of an empty database.")
@click.pass_obj
def users_add(
    loaded: LoadedSettings,
    login: str,
    name: str,
    email: str,
    segment_code: str | None,
    roles: tuple[str, ...],
    first_admin: bool,
) -> None:
    """Add a user (as an admin), or the first admin of a new database."""
    from pydantic import ValidationError

    from acctmgr.services.kernel.validation import invalid_input
    from acctmgr.services.people import users as user_service

    try:
        data = user_service.UserIn(
            login=login,
            name=name,
            email=email,
            segment_code=segment_code,
            roles=frozenset(Role(role) for role in roles),
        )
    except ValidationError as error:
        raise invalid_input(error) from None
    context = open_context(loaded)
    created = (
        user_service.create_first_admin(context, data)
        if first_admin
        else user_service.create_user(context, data)
    )
    click.echo(f"Added {created.login} ({created.name}).")


@users.command("deactivate")
@click.argument("login")
@click.pass_obj
def users_deactivate(loaded: LoadedSettings, login: str) -> None:
    """Stop a user signing in, deciding or being given work; their history stays."""
    from acctmgr.services.people import deactivation

    done = deactivation.deactivate_user(open_context(loaded), login)
    click.echo(f"Deactivated {done.user.login} ({done.user.name}).")
    if done.to_reassign:
        click.echo("Only they could decide these open approvals; give them another approver:")
    for held in done.to_reassign:
        click.echo(
            f"  request {held.request_id}, tier {held.tier}: {held.record_label} ({held.rule})"
        )


@users.command("reactivate")
@click.argument("login")
@click.pass_obj
def users_reactivate(loaded: LoadedSettings, login: str) -> None:
    """Let a deactivated user sign in again, with the roles and segment they had."""
    from acctmgr.services.people import deactivation

    user = deactivation.reactivate_user(open_context(loaded), login)
    click.echo(f"Reactivated {user.login} ({user.name}).")


@main.group()
def catalogue() -> None:
    """Publish the service catalogue."""


@catalogue.command("export")
@click.option(
    "--format",
    "fmt",
    default="html",
    show_default=True,
    metavar="html|md|csv",
    help="HTML for the web, Markdown for a wiki, CSV for a spreadsheet.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write to this file instead of the standard output.",
)
@click.option("--currency", metavar="CODE", help="Show list prices in this currency only.")
@click.pass_obj
def catalogue_export(
    loaded: LoadedSettings, fmt: str, output: str | None, currency: str | None
) -> None:
    """Write what each active SKU contains, its deadline, volumes and prices, and the packages."""
    from acctmgr.services.catalogue import export as export_service

    if fmt.strip().lower() not in export_service.FORMATS:
        raise InvalidInput(f"The catalogue can be exported as html, md or csv, not {fmt!r}.")
    context = open_context(loaded)
    text = export_service.export(export_service.published_catalogue(context), fmt, currency)
    if output is None:
        click.echo(text, nl=False)
        return
    write_output(output, text)
    click.echo(f"Wrote the service catalogue ({fmt.strip().lower()}) to {output}.", err=True)


main.add_command(export_group)
main.add_command(import_group)

MAX_WORKER_PAUSE = 86_400


@main.command("worker")
@click.option("--once", is_flag=True, help="Do one pass of the due work, then exit.")
@click.option("--every", default=60, show_default=True, help="Seconds between passes.")
@click.pass_obj
def worker(loaded: LoadedSettings, once: bool, every: int) -> None:
    """Do the background work that falls due: signed contracts taking effect on their date,
    reminders for approvals nearing their deadline and alerts for late ones, offers past their
    validity expired (their KAM told), subscriptions starting and ending on their dates and
    entitlements warned of and expiring (``fulfilment.run_due``), the figures upsell compares
    key accounts with (once a day), and the e-mails waiting in the outbox, sent through the SMTP
    server in the settings.

    Safe to run several at once against one database: each change is one transaction, and each
    e-mail is claimed by one worker before it is sent. An SMTP outage never stops the worker:
    the e-mails wait and are tried again later.
    """
    if not 1 <= every <= MAX_WORKER_PAUSE:
        # time.sleep refuses past a C long, and 0 or less would spin or fail after a pass.
        raise InvalidInput(
            f"The worker waits 1 to {MAX_WORKER_PAUSE:,} seconds (a day) between passes."
        )
    import os
    import socket

    from acctmgr.services.due_work import do_due_work

    configure_logging(loaded)
    context = open_context(loaded)
    name = f"{socket.gethostname()}:{os.getpid()}"
    while True:
        try:
            line = do_due_work(context, loaded, worker=name)
        except Exception as error:
            if once:
                raise
            # A long-running worker outlives a database restart: report, wait, try again.
            log.exception("a worker pass failed")
            reason = (
                error.message
                if isinstance(error, AcctmgrError)
                else "something unexpected went wrong (the log has the details)."
            )
            click.echo(
                f"acctmgr: this pass stopped: {printable(reason)} Next try in {every} s.", err=True
            )
        else:
            click.echo(line)
        if once:
            return
        time.sleep(every)
