"""Migration 0005 keeps the drafts waiting on cases and brings the audit trail to RecordType."""

from __future__ import annotations

import json

from alembic import command
from sqlalchemy import select, text

from acctmgr.db import Database
from acctmgr.db.migrate import alembic_config, upgrade
from acctmgr.domain.records import RecordType
from acctmgr.models import AuditEvent, Draft, Opportunity
from acctmgr.services.kernel.context import Context
from acctmgr.services.retention import sales_steps, usage
from acctmgr.services.retention.inputs import OpportunityIn, UsageReviewIn
from tests.retention_support import customer, open_case


def _downgrade(database: Database, revision: str) -> None:
    with database.engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_an_upgrade_moves_case_drafts_and_respells_the_audit_trail(admin: Context) -> None:
    """A case's draft becomes a draft row of its stage; plural audit types become RecordTypes."""
    cms = admin.as_user("cms")
    case = open_case(admin, customer(admin))
    case = usage.complete_usage_review(cms, case.id, case.version, UsageReviewIn(notes="Fell."))
    sales_steps.create_opportunity(
        cms,
        case.id,
        case.version,
        OpportunityIn(name="Acme", expected_close_on=case.notice_deadline),
    )  # an opportunity now refers to the case: the upgrade must not rebuild its table
    database = admin.database
    _downgrade(database, "0004")
    draft = {"user_id": 0, "step": "placeholder", "values": {"estimate": "1200"}}
    with database.engine.begin() as connection:
        cms_id = connection.execute(text("SELECT id FROM users WHERE login = 'cms'")).scalar_one()
        draft["user_id"] = cms_id
        connection.execute(
            text("UPDATE retention_cases SET draft = :draft WHERE id = :id"),
            {"draft": json.dumps(draft), "id": case.id},
        )
        connection.execute(
            text(
                "UPDATE audit_events SET entity_type = 'retention_cases' "
                "WHERE entity_type = 'retention_case' AND change = 'update'"
            )
        )
    upgrade(database)
    with database.read_session() as session:
        drafts = session.scalars(select(Draft)).all()
        assert [(d.record_type, d.record_id, d.step, d.user_id, d.fields) for d in drafts] == [
            (RecordType.RETENTION_CASE, case.id, "placeholder", cms_id, {"estimate": "1200"})
        ]
        spelled = set(session.scalars(select(AuditEvent.entity_type).distinct()))
        assert RecordType.RETENTION_CASE in spelled
        assert all(isinstance(kind, RecordType) for kind in spelled)
        assert session.scalars(select(Opportunity.retention_case_id)).all() == [case.id]
