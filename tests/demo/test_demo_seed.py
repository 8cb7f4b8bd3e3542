"""Demo data: deterministic, complete enough for every persona's day, and safe to build on."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, Table, func, select

from acctmgr.clock import AdjustableClock
from acctmgr.db import Database
from acctmgr.demo import seed as seed_module
from acctmgr.demo.seed import (
    ALREADY_HAS_DATA,
    DEMO_EMAIL_DOMAIN,
    DEMO_SEGMENTS,
    MAX_ACCOUNTS,
    MIN_ACCOUNTS,
    PERSONAS,
    SeedSummary,
    seed_demo,
)
from acctmgr.errors import InvalidInput
from acctmgr.models import (
    Account,
    Activity,
    ActivityKind,
    Approval,
    ApprovalRequest,
    ApprovalRequestStatus,
    ApprovalRule,
    ApprovalStatus,
    ApproverKind,
    AuditEvent,
    Base,
    Contact,
    Contract,
    ContractStatus,
    Package,
    Quote,
    QuoteLine,
    QuoteStatus,
    RetentionCase,
    RetentionStep,
    Role,
    Segment,
    Sku,
    SkuPrice,
    SkuVersion,
    UsageTier,
    User,
)
from acctmgr.services.accounts import records as account_service
from acctmgr.services.accounts import search as account_search
from acctmgr.services.accounts.search import AccountQuery
from acctmgr.services.approvals import rules as approval_rules
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.text import natural_name
from acctmgr.services.people import users as user_service
from tests.cli_support import assert_one_sentence, run_acctmgr
from tests.conftest import NOW, pg_copy, sqlite_copy

ACCOUNTS = MIN_ACCOUNTS  # the smallest load that holds every story


@pytest.fixture
def twin(database: Database, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A second empty, migrated database on the same backend as ``database``."""
    if database.is_sqlite:
        template = request.getfixturevalue("sqlite_template")
        other = Database(sqlite_copy(template, tmp_path / "twin.db"))
        yield other
        other.dispose()
        return
    copies = pg_copy(request.getfixturevalue("pg_template"))
    other = Database(next(copies))
    yield other
    other.dispose()
    next(copies, None)  # drops the copy


@pytest.fixture
def seeded(database: Database) -> SeedSummary:
    """The bulk load alone: the offer wizard's stories are tested in test_demo_offers.py."""
    return seed_demo(database, accounts=ACCOUNTS, seed=7, now=NOW, offer_stories=False)


def _rows(database: Database, table: Table) -> list[tuple[object, ...]]:
    with database.read_session() as session:
        return [tuple(row) for row in session.execute(select(table).order_by(*table.primary_key))]


def _user_id(database: Database, login: str) -> int:
    with database.read_session() as session:
        found = session.scalar(select(User.id).where(User.login == login))
    assert found is not None
    return found


def test_the_same_seed_and_now_give_identical_rows(database: Database, twin: Database) -> None:
    """Seeding two databases with the same accounts, seed and now writes identical rows."""
    first = seed_demo(database, accounts=ACCOUNTS, seed=7, now=NOW)
    second = seed_demo(twin, accounts=ACCOUNTS, seed=7, now=NOW)
    assert first == second
    tables = Base.metadata.tables
    for name in (
        "users",
        "user_roles",
        "accounts",
        "contacts",
        "contracts",
        "subscriptions",
        "invoices",
        "invoice_lines",
        "retention_cases",
        "quotes",
        "approvals",
        "activities",
        # The offer wizard's stories, told through the use cases. (Not the documents: the PDF
        # renderer stamps each file with the wall clock's creation date.)
        "offers",
        "agreed_prices",
    ):
        rows = _rows(database, tables[name])
        assert rows, name
        assert rows == _rows(twin, tables[name]), name


def test_another_seed_gives_other_accounts(database: Database, twin: Database) -> None:
    """A different seed names and spreads the accounts differently."""
    seed_demo(database, accounts=ACCOUNTS, seed=7, now=NOW, offer_stories=False)
    seed_demo(twin, accounts=ACCOUNTS, seed=8, now=NOW, offer_stories=False)
    accounts = Base.metadata.tables["accounts"]
    assert _rows(database, accounts) != _rows(twin, accounts)


@pytest.mark.usefixtures("seeded")
def test_every_persona_exists_with_its_roles_and_segment(database: Database) -> None:
    """Each persona is a user with its stable login, exact roles, segment and demo e-mail."""
    with database.read_session() as session:
        segments = {row.id: row.code for row in session.execute(select(Segment.id, Segment.code))}
        assert set(segments.values()) == set(DEMO_SEGMENTS)
        for login, (name, roles, segment) in PERSONAS.items():
            user = session.scalars(select(User).where(User.login == login)).one()
            assert user.name == name
            assert user.email == f"{login}@{DEMO_EMAIL_DOMAIN}"
            assert frozenset(held.role for held in user.roles) == roles
            assert (segments[user.segment_id] if user.segment_id else None) == segment
        assert {role for _, roles, _ in PERSONAS.values() for role in roles} == set(Role)
        assert (session.scalar(select(func.count(User.id))) or 0) >= len(PERSONAS) + 20


@pytest.mark.usefixtures("seeded")
def test_some_contracts_are_entering_their_notice_window(database: Database) -> None:
    """Active contracts ending in 60-90 days exist: their 60-day notice deadline is this month."""
    today = NOW.date()
    with database.read_session() as session:
        ending = session.scalars(
            select(Contract).where(
                Contract.status == ContractStatus.ACTIVE,
                Contract.ends_on >= today + timedelta(days=60),
                Contract.ends_on <= today + timedelta(days=90),
            )
        ).all()
        active = session.scalar(
            select(func.count(Contract.id)).where(Contract.status == ContractStatus.ACTIVE)
        )
    assert len(ending) >= 3
    assert len(ending) < (active or 0) / 4
    for contract in ending:
        deadline = contract.ends_on - timedelta(days=contract.notice_days)
        assert today <= deadline <= today + timedelta(days=30)
        assert contract.term_months == 12


@pytest.mark.usefixtures("seeded")
def test_the_leader_has_rate_reductions_waiting_for_approval(database: Database) -> None:
    """At least three Mid-market quotes submitted by cms wait, due in the future, for leader."""
    leader, cms = _user_id(database, "leader"), _user_id(database, "cms")
    with database.read_session() as session:
        rules = session.scalars(select(ApprovalRule).order_by(ApprovalRule.id)).all()
        # The demo starts with the rules a new database ships with.
        assert [r.name for r in rules] == [r.name for r in approval_rules.DEFAULT_RULES]
        rule = rules[0]
        assert rule.name == "Rate reductions need the account's Segment Leader"
        assert rule.condition == {
            "field": "opportunity_kind",
            "op": "==",
            "value": "rate_reduction",
        }
        assert (rule.approver_kind, rule.approver_role) == (
            ApproverKind.ROLE_IN_SEGMENT,
            Role.SEGMENT_LEADER,
        )
        mid = session.scalar(select(Segment.id).where(Segment.code == "MID"))
        waiting = session.execute(
            select(Approval, ApprovalRequest, Quote)
            .join(ApprovalRequest, ApprovalRequest.id == Approval.request_id)
            .join(Quote, Quote.id == ApprovalRequest.record_id)
            .where(Approval.approver_id == leader, Approval.status == ApprovalStatus.PENDING)
        ).all()
        assert len(waiting) >= 3
        for approval, request, quote in waiting:
            assert (approval.tier, approval.rule_id) == (1, rule.id)
            assert approval.due_at is not None
            assert approval.due_at > NOW
            assert request.record_type == "quote"
            assert request.status == ApprovalRequestStatus.PENDING
            assert (request.segment_id, request.submitted_by_id) == (mid, cms)
            assert quote.status == QuoteStatus.PENDING_APPROVAL
            lines = session.scalars(select(QuoteLine).where(QuoteLine.quote_id == quote.id))
            assert sum(line.net_minor for line in lines) == quote.net_total_minor > 0


@pytest.mark.usefixtures("seeded")
def test_the_cms_has_cases_and_the_queue_has_waiting_ones(database: Database) -> None:
    """cms holds at least three open Mid-market cases; two more wait unassigned in the queue."""
    cms = _user_id(database, "cms")
    with database.read_session() as session:
        mid = session.scalar(select(Segment.id).where(Segment.code == "MID"))
        in_mid = (
            select(func.count(RetentionCase.id))
            .join(Account, Account.id == RetentionCase.account_id)
            .where(Account.segment_id == mid, RetentionCase.step != RetentionStep.CLOSED)
        )
        assert (session.scalar(in_mid.where(RetentionCase.assigned_to_id == cms)) or 0) >= 3
        unassigned = in_mid.where(
            RetentionCase.assigned_to_id.is_(None), RetentionCase.step == RetentionStep.IN_QUEUE
        )
        assert (session.scalar(unassigned) or 0) >= 2


@pytest.mark.usefixtures("seeded")
def test_every_persona_has_work_overdue_due_today_and_later_this_week(database: Database) -> None:
    """Each persona has open tasks or reminders overdue, due today and due later this week."""
    today = NOW.date()
    midnight = datetime.combine(today, time.min, tzinfo=UTC)
    with database.read_session() as session:
        for login in PERSONAS:
            due = list(
                session.scalars(
                    select(Activity.due_at).where(
                        Activity.assigned_to_id == _user_id(database, login),
                        Activity.done_at.is_(None),
                        Activity.kind.in_([ActivityKind.TASK, ActivityKind.REMINDER]),
                        Activity.due_at < midnight + timedelta(days=7),
                    )
                )
            )
            days = [instant.date() for instant in due if instant is not None]
            assert any(day < today for day in days), login
            assert sum(day == today for day in days) >= 2, login
            assert any(day > today for day in days), login
            # An instant read back compares equal to itself in SQL: the stored text is exact.
            instant = due[0]
            found = session.scalar(select(func.count()).where(Activity.due_at == instant))
            assert (found or 0) >= 1


@pytest.mark.usefixtures("seeded")
def test_search_text_is_what_the_accounts_service_computes(database: Database) -> None:
    """Every account's search text equals search_text_of(account, its contacts' names and
    e-mails), and its sort name is natural_name of its name."""
    with database.read_session() as session:
        contacts: dict[int, list[str]] = {}
        for account_id, name, email in session.execute(
            select(Contact.account_id, Contact.name, Contact.email).order_by(Contact.id)
        ):
            contacts.setdefault(account_id, []).extend(part for part in (name, email) if part)
        accounts = session.scalars(select(Account)).all()
        assert len(accounts) == ACCOUNTS
        for account in accounts:
            expected = account_service.search_text_of(account, contacts.get(account.id, []))
            assert account.search_text == expected
            assert account.sort_name == natural_name(account.name)
        # Most accounts have an invoice contact, a few are left without for the checks.
        without = [account for account in accounts if account.invoice_contact_id is None]
        assert 0 < len(without) < ACCOUNTS / 10


@pytest.mark.usefixtures("seeded")
def test_the_catalogue_is_versioned_and_priced_in_every_currency(database: Database) -> None:
    """SKUs point at their newest version; every version has a price in each account currency."""
    with database.read_session() as session:
        currencies = set(session.scalars(select(Account.currency).distinct()))
        assert {"USD", "GBP", "EUR", "BRL"} <= currencies
        skus = session.scalars(select(Sku)).all()
        assert len(skus) >= 15
        for sku in skus:
            newest = max(sku.versions, key=lambda version: version.number)
            assert sku.current_version_id == newest.id
        assert any(len(sku.versions) > 1 for sku in skus)
        for version in session.scalars(select(SkuVersion)):
            assert {price.currency for price in version.prices} >= currencies
        assert session.scalar(select(func.count(UsageTier.id)))
        assert session.scalar(select(func.count(SkuPrice.id)).where(SkuPrice.list_price_minor == 0))
        assert session.scalars(select(Package).where(Package.is_starter_pack)).one()


def test_the_summary_counts_the_rows_and_one_audit_event_records_the_load(
    database: Database,
) -> None:
    """The summary's counts are the tables' row counts; the bulk load is audited as one event
    (the offer wizard's stories after it, through the use cases, audit themselves)."""
    seeded = seed_demo(database, accounts=ACCOUNTS, seed=7, now=NOW)
    tables = Base.metadata.tables
    with database.read_session() as session:
        for name, count in seeded.counts.items():
            assert session.scalar(select(func.count()).select_from(tables[name])) == count, name
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "demo.seed")).one()
        later = session.scalars(select(AuditEvent).where(AuditEvent.id > event.id)).all()
    assert (event.action, event.change, event.entity_type) == ("demo.seed", "insert", "database")
    assert event.entity_id is None
    assert event.id == 1
    loaded = event.after or {}
    assert all(loaded[name] <= seeded.counts[name] for name in loaded)
    assert seeded.counts["offers"] > 0
    assert later
    assert all(each.actor_id is not None for each in later)
    assert seeded.counts["accounts"] == ACCOUNTS
    assert seeded.lines()[0].startswith("segments")


def _sqlite_schema(database: Database) -> list[tuple[str, str, str]]:
    with database.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name"
        )
        return [tuple(row) for row in rows]


def _probes(connection: Connection) -> list[str]:
    """Three-letter pieces of the first and the last account's name, city and contact, whatever
    the draws named them: the trigram index must find each one where a scan finds it."""
    texts = connection.exec_driver_sql(
        "SELECT search_text FROM accounts WHERE id IN (1, (SELECT MAX(id) FROM accounts))"
    ).scalars()
    words = [word for text in texts for word in text.split() if len(word) >= 3]
    return sorted({words[0][:3], words[len(words) // 2][-3:], words[-1][1:4]})


def test_the_load_leaves_the_schema_it_found_and_a_complete_trigram_index(
    tmp_path: Path, sqlite_template: Path
) -> None:
    """SQLite's indexes and triggers, dropped for the load, are all made again; the trigram
    index holds every account, and later edits still reach it."""
    database = Database(sqlite_copy(sqlite_template, tmp_path / "seeded.db"))
    before = _sqlite_schema(database)
    assert any(kind == "trigger" for kind, _name, _sql in before)
    seed_demo(database, accounts=ACCOUNTS, seed=7, now=NOW, offer_stories=False)
    assert _sqlite_schema(database) == before
    with database.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO accounts_search (accounts_search) VALUES ('integrity-check')"
        )
        for text in _probes(connection):
            matches = connection.exec_driver_sql(
                "SELECT rowid FROM accounts_search WHERE accounts_search MATCH ? ORDER BY rowid",
                (f'"{text}"',),
            ).all()
            scanned = connection.exec_driver_sql(
                "SELECT id FROM accounts WHERE search_text LIKE ? ORDER BY id", (f"%{text}%",)
            ).all()
            assert matches, text
            assert matches == scanned, text
    context = Context(database, AdjustableClock(NOW), "admin")
    account = account_service.create_account(
        context, account_service.AccountIn(name="Zyxwv Fresh Ltd", segment_code="MID")
    )
    found = account_search.search_accounts(context, AccountQuery(text="zyxwv"))
    assert [row.id for row in found.items] == [account.id]
    database.dispose()


def test_a_failed_load_leaves_the_schema_and_no_rows(
    tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A load that fails half-way rolls back its rows and the indexes it dropped alike."""
    database = Database(sqlite_copy(sqlite_template, tmp_path / "failed.db"))
    before = _sqlite_schema(database)

    def fail(*_args: object) -> None:
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(seed_module, "add_onboarding_handoffs", fail)
    with pytest.raises(RuntimeError):
        seed_demo(database, accounts=ACCOUNTS, seed=7, now=NOW)
    assert _sqlite_schema(database) == before
    with database.read_session() as session:
        assert session.scalar(select(func.count(Account.id))) == 0
    database.dispose()


def test_a_database_that_has_users_is_refused(database: Database) -> None:
    """Seeding a database that already has a user is refused with a sentence; nothing is added."""
    user_service.create_first_admin(
        Context(database, AdjustableClock(NOW)),
        user_service.UserIn(login="admin", name="Ada Admin", email="admin@example.com"),
    )
    with pytest.raises(InvalidInput) as refused:
        seed_demo(database, accounts=ACCOUNTS, now=NOW)
    assert refused.value.message == ALREADY_HAS_DATA
    with database.read_session() as session:
        assert session.scalar(select(func.count(Account.id))) == 0


@pytest.mark.parametrize("accounts", [5, MAX_ACCOUNTS + 1, 20_000_000])
def test_a_load_outside_the_demos_range_is_refused(database: Database, accounts: int) -> None:
    """Too small for the demo's stories, or past twice the designed scale: a sentence stating
    the range, and nothing written."""
    with pytest.raises(InvalidInput) as refused:
        seed_demo(database, accounts=accounts, now=NOW)
    assert refused.value.message == (
        f"Demo data takes from 30 to 200,000 accounts, not {accounts:,}."
    )
    with database.read_session() as session:
        assert session.scalar(select(func.count(User.id))) == 0


def test_the_cli_refuses_too_many_accounts_before_opening(tmp_path: Path) -> None:
    """`db seed --demo --accounts 20000000` is one sentence, and no database is made for it."""
    path = tmp_path / "never.db"
    result = run_acctmgr(
        tmp_path, f"sqlite:///{path}", "db", "seed", "--demo", "--accounts", "20000000"
    )
    assert_one_sentence(result, "Demo data takes from 30 to 200,000 accounts, not 20,000,000.")
    assert not path.exists()


def test_use_cases_add_records_after_a_seed(database: Database, seeded: SeedSummary) -> None:
    """After seeding, the services insert new rows (on PostgreSQL the id sequences moved on)."""
    context = Context(database, AdjustableClock(NOW), "ae")
    created = account_service.create_account(
        context, account_service.AccountIn(name="Fresh Prospect Ltd", segment_code="MID")
    )
    assert created.id == ACCOUNTS + 1
    contact = account_service.add_contact(
        context, created.id, account_service.ContactIn(name="Nia Newman", email="nia@fresh.example")
    )
    assert contact.id > seeded.counts["contacts"]


def test_the_cli_seeds_an_empty_database_once(database_url: str, tmp_path: Path) -> None:
    """`acctmgr db seed --demo` loads and prints the counts; again, or without --demo, refuses."""
    result = run_acctmgr(
        tmp_path, database_url, "db", "seed", "--demo", "--accounts", str(ACCOUNTS)
    )
    assert result.returncode == 0, result.stderr
    assert "Loaded demo data" in result.stdout
    assert any(line.split() == ["accounts", str(ACCOUNTS)] for line in result.stdout.splitlines())
    for args, phrase in (
        (("--demo", "--accounts", str(ACCOUNTS)), "already has data"),
        ((), "only kind of seed"),
    ):
        refused = run_acctmgr(tmp_path, database_url, "db", "seed", *args)
        assert refused.returncode == 1
        assert "Traceback" not in refused.stderr
        lines = refused.stderr.strip().splitlines()
        assert len(lines) == 1
        assert lines[0].startswith("acctmgr: ")
        assert phrase in lines[0]
