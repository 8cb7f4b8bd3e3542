"""The app walked with Pilot as real users: first run, My day per role, search, account screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from textual.widgets import Input, OptionList, Tab, TabbedContent
from textual.widgets._toast import Toast

from acctmgr import app as app_module
from acctmgr.demo.seed import MIN_ACCOUNTS
from acctmgr.models import Account, Contract, Role, User
from acctmgr.screens.accounts import search as accounts_search
from acctmgr.screens.accounts.account import AccountScreen
from acctmgr.screens.accounts.activity import ActivityScreen
from acctmgr.screens.accounts.search import AccountsScreen
from acctmgr.screens.my_day import MyDayScreen
from acctmgr.screens.sign_in.first_admin import FirstAdminScreen
from acctmgr.screens.sign_in.persona import PersonaScreen
from acctmgr.screens.sign_in.unknown_login import UnknownLoginScreen
from acctmgr.screens.sign_in.welcome import WelcomeScreen
from acctmgr.services.accounts import records as account_service
from acctmgr.services.kernel.context import Context
from acctmgr.widgets.record_table import RecordTable
from tests import office_support
from tests.ui_support import build_app, notifications, settle, until

SIZE = (80, 24)


def table_texts(table: RecordTable, column: int = 0) -> list[str]:
    return table.texts(column)


async def test_first_run_creates_the_first_admin(tmp_path: Path) -> None:
    """On an empty database Welcome offers the admin form; a bad e-mail is named beside it."""
    app = build_app(tmp_path, "newbie")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, WelcomeScreen)
        assert app.screen.title == "Welcome"
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, FirstAdminScreen)
        await pilot.press(*"New Bie", "tab", *"not-an-email", "enter")
        await pilot.pause()
        error = app.screen.query_one("#email-error")
        assert "name@example.com" in str(error.render())
        assert isinstance(app.screen, FirstAdminScreen)
        await pilot.press(*("backspace" for _ in "not-an-email"), *"new@example.com", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MyDayScreen)
    with app.context.database.read_session() as session:
        user = session.scalars(select(User).where(User.login == "newbie")).one()
        assert user.name == "New Bie"
        assert [role.role for role in user.roles] == [Role.ADMIN]


async def test_notifications_show_what_people_typed_as_written(tmp_path: Path) -> None:
    """A first admin named like Rich markup is welcomed by that name, letter for letter, not in
    bold red."""
    app = build_app(tmp_path, "root")
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        app.screen.query_one("#name", Input).value = "[bold red]Root[/]"
        await pilot.press("tab", *"root@example.com", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MyDayScreen)
        await pilot.pause(0.1)
        shown = [str(toast.render()) for toast in app.screen.query(Toast)]
        assert shown == ["Welcome, [bold red]Root[/]. You are the admin of this database."]


async def test_first_run_loads_the_demo_and_signs_in_as_a_persona(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Choosing the demo seeds the database, then the chosen persona lands on My day."""
    monkeypatch.setattr(app_module, "DEMO_ACCOUNTS", MIN_ACCOUNTS)  # the smallest demo
    app = build_app(tmp_path, "root")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "enter")
        # The seed runs in the first-run worker, which waits for the user, so settling does
        # not wait for it: its offer stories render documents, a few seconds on a busy machine.
        for _ in range(600):
            if isinstance(app.screen, PersonaScreen):
                break
            await pilot.pause(0.05)
        await settle(app, pilot)
        assert isinstance(app.screen, PersonaScreen)
        options = app.screen.query_one("#personas", OptionList)
        leader_index = next(
            i for i in range(options.option_count) if options.get_option_at_index(i).id == "leader"
        )
        options.highlighted = leader_index
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MyDayScreen)
        assert app.context.login == "leader"
        assert app.screen.query_one("#table-approvals", RecordTable).row_count > 0
    with app.context.database.read_session() as session:
        assert session.scalar(select(func.count(Account.id))) == MIN_ACCOUNTS


@pytest.mark.parametrize(
    "login",
    [
        "ae",
        "cms",
        "leader",
        "kam",
        "custsvc",
        "success",
        "presales",
        "finance",
        "im",
        "ssm",
        "nam",
        "admin",
        "trainer",
    ],
)
async def test_my_day_for_each_role(tmp_path: Path, office: Path, login: str) -> None:
    """My day greets each role by name with their tasks, overdue first; a task opens its account."""
    app = build_app(tmp_path, login, office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, MyDayScreen)
        assert screen.title == "My day"
        summary = str(screen.query_one("#my-day-summary").render())
        assert summary.startswith(office_support.name_of(login))
        assert "Monday 23 November 2026" in summary
        due = screen.query_one("#table-due", RecordTable)
        assert due.row_count == 3
        whens = table_texts(due)
        assert ["overdue" in when for when in whens] == [True, False, False]
        if login == "leader":
            assert screen.query_one("#table-approvals", RecordTable).row_count == 3
        if login == "cms":
            assert screen.query_one("#table-cases", RecordTable).row_count == 3
        # Enter opens the highlighted task; from there "o" opens its account.
        due.focus()
        await pilot.press("enter")
        await settle(app, pilot)
        task = app.screen
        assert isinstance(task, ActivityScreen)
        assert task.activity is not None
        assert task.activity.account_id is not None
        await pilot.press("o")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountScreen)


async def test_down_past_a_section_goes_on_to_the_next(tmp_path: Path, office: Path) -> None:
    """My day reads as one list: Down on a section's last row moves to the next section shown
    (empty ones skipped), Up on its first row back to the previous one's last."""
    app = build_app(tmp_path, "leader", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        due = app.screen.query_one("#table-due", RecordTable)
        approvals = app.screen.query_one("#table-approvals", RecordTable)
        due.focus()
        await pilot.press("down", "down", "down")  # three tasks: the third Down moves on
        await settle(app, pilot)
        assert app.focused is approvals
        assert approvals.cursor_row == 0
        await pilot.press("up")
        await settle(app, pilot)
        assert app.focused is due
        assert due.cursor_row == 2


async def test_my_day_paints_before_the_database_layer_loads_behind_it(
    tmp_path: Path, office: Path
) -> None:
    """On a ready database the day read at launch is on screen at the first paint; the database
    opens behind it, and the next screens work."""
    app = build_app(tmp_path, "leader", office)
    assert app.first_day is not None
    assert not app.context.is_open
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, MyDayScreen)
        assert app.screen.query_one("#table-approvals", RecordTable).row_count == 3
        await settle(app, pilot)
        assert app.context.is_open
        await pilot.press("f4")
        await settle(app, pilot)
        assert app.screen.query_one("#approvals-table", RecordTable).row_count == 3


async def test_marking_a_task_done_from_my_day(tmp_path: Path, office: Path) -> None:
    """d, then Ctrl+S without a note, marks the highlighted task done; it leaves the list and
    the row is stored done."""
    app = build_app(tmp_path, "ae", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        due = app.screen.query_one("#table-due", RecordTable)
        before = due.row_count
        first_key = due.selected_key
        due.focus()
        await pilot.press("d")
        await settle(app, pilot)
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: due.row_count == before - 1, "the task left the list")
        assert first_key not in due.keys
    from acctmgr.models import Activity

    assert first_key is not None
    with app.context.database.read_session() as session:
        done = session.get(Activity, int(first_key.removeprefix("activity-")))
        assert done is not None
        assert done.done_at is not None


async def test_search_as_you_type_and_open_an_account(tmp_path: Path, office: Path) -> None:
    """F3 opens Accounts; typing narrows the list in the database; Enter opens the account."""
    app = build_app(tmp_path, "admin", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f3")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountsScreen)
        table = app.screen.query_one("#accounts", RecordTable)
        assert table.row_count == len(office_support.CUSTOMERS)  # all of them, by name
        first_name = table_texts(table)[0]
        assert first_name == "Bluebird Logistics Inc"
        word = first_name.split()[0].lower()
        await pilot.press(*word)
        await settle(app, pilot)
        names = table_texts(table)
        assert names
        assert first_name in names
        hostile = "%_\\'\"[b]🚀"
        await pilot.press(*hostile)
        await settle(app, pilot)
        assert table.row_count == 0
        assert "0 accounts" in str(app.screen.query_one("#accounts-status").render())
        await pilot.press(*("backspace" for _ in word + hostile))
        await pilot.press(*word, "enter")
        await settle(app, pilot)
        assert app.screen.focused is table
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountScreen)
        assert app.screen.account is not None
        assert app.screen.account.name == first_name


async def test_a_search_longer_than_its_box_scrolls_to_the_cursor(
    tmp_path: Path, office: Path
) -> None:
    """The search box repaints without a layout per keystroke; long text still scrolls."""
    app = build_app(tmp_path, "admin", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f3")
        await settle(app, pilot)
        box = app.screen.query_one("#account-search", Input)
        typed = "nothing is called like this at all, not even close to it, nor this one"
        await pilot.press(*typed)
        await settle(app, pilot)
        assert box.value == typed
        assert box.scroll_x > 0
        assert typed.rstrip()[-20:] in box.render_line(0).text  # the end is in view
        assert table_texts(app.screen.query_one("#accounts", RecordTable)) == []


def test_cells_are_fitted_to_their_column_by_display_width() -> None:
    """Plain cells are padded or cut with an ellipsis, counting wide characters as two."""
    from acctmgr.widgets.column_widths import fit_cell

    assert fit_cell("Acme", 6) == "Acme  "
    assert fit_cell("Acme Corporation", 6) == "Acme …"
    assert fit_cell("日本語テキスト", 5) == "日本…"
    assert fit_cell("🚀 Rockets", 4) == "🚀 …"


async def test_paging_loads_the_next_page_near_the_end(
    tmp_path: Path, office: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Moving down past the first page asks the database for the next one."""
    monkeypatch.setattr(accounts_search, "PAGE", 15)  # the office has 20 accounts
    app = build_app(tmp_path, "admin", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f3")
        await settle(app, pilot)
        table = app.screen.query_one("#accounts", RecordTable)
        status = app.screen.query_one("#accounts-status")
        assert table.row_count == 15
        assert "15 accounts shown, more below" in str(status.render())
        table.focus()
        table.move_cursor(row=6)  # within ten rows of the end
        await settle(app, pilot)
        assert table.row_count == len(office_support.CUSTOMERS)
        assert str(status.render()) == f"{len(office_support.CUSTOMERS)} accounts"


async def test_the_account_screen_shows_every_tab(tmp_path: Path, office: Path) -> None:
    """Keys 1-8 switch tabs, all eight in sight at 80 columns; each tab loads the account's own
    records."""
    app = build_app(tmp_path, "admin", office)
    with app.context.database.read_session() as session:
        account_id = session.scalar(
            select(Account.id)
            .join(Contract, Contract.account_id == Account.id)
            .where(Account.invoice_contact_id.is_not(None))
            .limit(1)
        )
    assert account_id is not None
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_account(account_id)
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, AccountScreen)
        overview = str(screen.query_one("#overview-text").render())
        assert "Invoice contact" in overview
        tabs = screen.query_one("#account-tabs", TabbedContent)
        assert all(tab.region.right <= SIZE[0] for tab in tabs.query(Tab)), "a tab is off screen"
        assert tabs.get_tab("timeline").label_text == "8 Timeline"
        for number, pane in enumerate(
            [
                "overview",
                "contacts",
                "contracts",
                "subscriptions",
                "invoices",
                "cases",
                "documents",
                "timeline",
            ],
            start=1,
        ):
            await pilot.press(str(number))
            await settle(app, pilot)
            assert screen.query_one("#account-tabs", TabbedContent).active == pane
        assert screen.query_one("#contacts-table", RecordTable).row_count > 0
        assert screen.query_one("#contracts-table", RecordTable).row_count > 0
        assert screen.query_one("#timeline-table", RecordTable).row_count > 0
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, MyDayScreen)


async def test_an_unknown_login_gets_a_sentence(tmp_path: Path, office: Path) -> None:
    """A login that is not a user sees why and how to start as someone who is."""
    app = build_app(tmp_path, "ghost", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, UnknownLoginScreen)
        message = str(app.screen.query_one("#unknown-message").render())
        assert "'ghost' is not a user of this database" in message
        await pilot.press("escape")
        await pilot.pause()
    assert app.return_code == 0  # Escape quit, and nothing failed


async def test_names_with_markup_and_escapes_show_as_text(tmp_path: Path, office: Path) -> None:
    """A customer called "[bold]Evil[/]" with an ESC in it is shown letter for letter."""
    app = build_app(tmp_path, "admin", office)
    created = account_service.create_account(
        Context(app.context.database, app.context.clock, "admin"),
        account_service.AccountIn(name="[bold red]Evil[/] Corp", segment_code="MID"),
    )
    # An ESC is refused at input now; a row stored before that may still hold one.
    with app.context.database.write_session() as session:
        hostile = "[bold red]Evil[/] \x1b[31mCorp"
        session.execute(update(Account).where(Account.id == created.id).values(name=hostile))
        session.commit()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f3")
        await settle(app, pilot)
        await pilot.press(*"red]evil")
        await settle(app, pilot)
        table = app.screen.query_one("#accounts", RecordTable)
        assert table_texts(table) == ["[bold red]Evil[/] ␛[31mCorp"]


async def test_the_command_palette_goes_to_an_account_by_name(tmp_path: Path, office: Path) -> None:
    """Ctrl+P, part of a name, Enter: the account opens."""
    app = build_app(tmp_path, "admin", office)
    with app.context.database.read_session() as session:
        name = session.scalar(select(Account.name).order_by(Account.id).limit(1))
    assert name is not None
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*name[:12])
        await pilot.pause(0.5)
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountScreen)
        assert app.screen.account is not None
        assert app.screen.account.name.startswith(name[:12])


async def test_the_theme_is_saved_in_the_config(tmp_path: Path, office: Path) -> None:
    """Choosing a theme writes it to config.toml, so the next start uses it."""
    app = build_app(tmp_path, "ae", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.theme = "nord"
        await settle(app, pilot)
    assert 'theme = "nord"' in (tmp_path / "config" / "config.toml").read_text()


async def test_an_unexpected_failure_is_a_notification_not_a_traceback(
    tmp_path: Path, office: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug in a use case is logged and shown as one sentence; the app keeps running."""
    from acctmgr.services.my_day import day as my_day_service

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    app = build_app(tmp_path, "ae", office)
    shown = notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        monkeypatch.setattr(my_day_service, "my_day", broken)
        await pilot.press("f5")
        await settle(app, pilot)
        assert any("Something unexpected went wrong" in message for message in shown)
        assert isinstance(app.screen, MyDayScreen)
        await pilot.press("f3")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountsScreen)
