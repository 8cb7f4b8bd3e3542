"""SKU combinations: an admin declares that one SKU requires or excludes another, and a quote
that breaks it is refused in a sentence naming both, or routed to the rules for approval."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from acctmgr.domain.catalogue import SkuRelationKind, SkuRuleConsequence
from acctmgr.domain.records import RecordType
from acctmgr.errors import InvalidInput, PermissionDenied
from acctmgr.models import ApproverKind, AuditEvent, QuoteStatus, Role
from acctmgr.services.approvals import rules as approval_rules
from acctmgr.services.approvals.rule_conditions import parse_condition
from acctmgr.services.catalogue import sku_relations
from acctmgr.services.catalogue.sku_relations import SkuRelationIn
from acctmgr.services.kernel.context import Context
from acctmgr.services.sales import quote_builder as builder
from acctmgr.services.sales import quotes
from acctmgr.services.sales.quote_builder import CatalogueLineIn, NewQuoteIn
from acctmgr.services.sales.quote_views import QuoteView
from acctmgr.services.sales.quotes import QuoteEdit, QuoteLineIn
from tests.quote_support import STARTS, Catalogue, new_customer
from tests.services.sales.test_quote_rules import shop

__all__ = ["shop"]  # a fixture, imported so pytest finds it

REQUIRES = "Workshop v1 requires Platform v1 on the same quote."
EXCLUDES = "Platform v1 and Pageviews v1 cannot be on one quote."


def declare(
    admin: Context,
    sku_id: int,
    kind: SkuRelationKind,
    other: str,
    consequence: SkuRuleConsequence = SkuRuleConsequence.REFUSE,
) -> list[sku_relations.SkuRelationView]:
    return sku_relations.declare_sku_relation(
        admin, SkuRelationIn(sku_id=sku_id, kind=kind, other_sku=other, consequence=consequence)
    )


def empty_quote(admin: Context) -> QuoteView:
    return builder.new_quote(
        admin.as_user("ae"),
        NewQuoteIn(account_id=new_customer(admin), starts_on=STARTS, territory="Germany"),
    )


def add(admin: Context, quote: QuoteView, sku_id: int) -> QuoteView:
    return builder.add_catalogue_line(
        admin.as_user("ae"), quote.id, quote.version, CatalogueLineIn(sku_id=sku_id)
    )


def test_an_admin_declares_a_combination_seen_from_both_skus(
    admin: Context, shop: Catalogue
) -> None:
    """A declaration is listed on both SKUs, in words, and kept in the audit trail."""
    found = declare(admin, shop.workshop, SkuRelationKind.REQUIRES, "platform")
    assert [view.sentence for view in found] == [REQUIRES]
    assert [view.sentence for view in sku_relations.sku_relations(admin, shop.platform)] == [
        REQUIRES
    ]
    with admin.database.read_session() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.entity_type == RecordType.SKU_RELATION.value)
        ).all()
    assert actions == ["catalogue.declare_sku_relation"]
    remaining = sku_relations.remove_sku_relation(admin, found[0].id, shop.platform)
    assert remaining == []
    with pytest.raises(PermissionDenied):
        declare(admin.as_user("ae"), shop.workshop, SkuRelationKind.REQUIRES, "PLATFORM")


@pytest.mark.parametrize(
    ("kind", "other", "sentence"),
    [
        (SkuRelationKind.REQUIRES, "WORKSHOP", "cannot require or exclude itself"),
        (SkuRelationKind.EXCLUDES, "NOSUCH", "There is no SKU NOSUCH in the catalogue."),
        (SkuRelationKind.REQUIRES, "PLATFORM", f"{REQUIRES[:-1]}: that is declared already."),
        (
            SkuRelationKind.EXCLUDES,
            "PLATFORM",
            f"{REQUIRES[:-1]}, so they cannot also exclude each other; remove that first.",
        ),
    ],
)
def test_a_declaration_that_cannot_hold_is_refused(
    admin: Context, shop: Catalogue, kind: SkuRelationKind, other: str, sentence: str
) -> None:
    """A SKU related to itself, an unknown SKU, a duplicate and a contradiction are refused."""
    declare(admin, shop.workshop, SkuRelationKind.REQUIRES, "PLATFORM")
    with pytest.raises(InvalidInput, match=sentence.replace(".", r"\.")):
        declare(admin, shop.workshop, kind, other, SkuRuleConsequence.APPROVAL)
    assert len(sku_relations.sku_relations(admin, shop.workshop)) == 1


def test_an_exclusion_goes_both_ways(admin: Context, shop: Catalogue) -> None:
    """B excludes A is the exclusion A excludes B, declared already; requiring it contradicts."""
    declare(admin, shop.platform, SkuRelationKind.EXCLUDES, "PAGEVIEWS")
    with pytest.raises(InvalidInput, match="declared already"):
        declare(admin, shop.pageviews, SkuRelationKind.EXCLUDES, "PLATFORM")
    with pytest.raises(InvalidInput, match="cannot also require each other"):
        declare(admin, shop.pageviews, SkuRelationKind.REQUIRES, "PLATFORM")
    # Two SKUs may require each other: that is two declarations, neither contradicting.
    declare(admin, shop.workshop, SkuRelationKind.REQUIRES, "ONSITE")
    declare(admin, shop.onsite, SkuRelationKind.REQUIRES, "WORKSHOP")


def test_a_refused_requirement_blocks_saving_the_quote(admin: Context, shop: Catalogue) -> None:
    """A workshop without the platform it requires is refused, naming both, and nothing is
    saved; with the platform first it is taken, and the platform cannot then be removed."""
    declare(admin, shop.workshop, SkuRelationKind.REQUIRES, "PLATFORM")
    quote = empty_quote(admin)
    with pytest.raises(InvalidInput, match=REQUIRES):
        add(admin, quote, shop.workshop)
    assert quotes.get_quote(admin.as_user("ae"), quote.id).lines == []
    quote = add(admin, add(admin, quote, shop.platform), shop.workshop)
    workshop = quote.lines[-1]
    edit = QuoteEdit(
        lines=[QuoteLineIn(line_id=workshop.id, quantity=1, discount_pct=workshop.discount_pct)],
        starts_on=STARTS,
    )
    with pytest.raises(InvalidInput, match=REQUIRES):
        quotes.update_quote(admin.as_user("ae"), quote.id, quote.version, edit)
    assert len(quotes.get_quote(admin.as_user("ae"), quote.id).lines) == 2


def test_a_refused_exclusion_blocks_submitting_a_quote_saved_before(
    admin: Context, shop: Catalogue
) -> None:
    """Declared after the quote was saved, an exclusion refuses its submission; removed, the
    quote goes through."""
    quote = add(admin, add(admin, empty_quote(admin), shop.platform), shop.pageviews)
    declared = declare(admin, shop.platform, SkuRelationKind.EXCLUDES, "PAGEVIEWS")
    ae = admin.as_user("ae")
    with pytest.raises(InvalidInput, match=EXCLUDES):
        builder.submit_quote(ae, quote.id, quote.version)
    sku_relations.remove_sku_relation(admin, declared[0].id, shop.pageviews)
    assert builder.submit_quote(ae, quote.id, quote.version).quote.status is QuoteStatus.APPROVED


def test_a_combination_needing_approval_is_a_fact_the_rules_route(
    admin: Context, shop: Catalogue
) -> None:
    """A broken combination that needs approval sets sku_rule_broken; a rule on it routes the
    quote to Finance, in the preview and on submission."""
    approval_rules.add_rule(
        admin,
        approval_rules.RuleIn(
            name="Unusual SKU combinations need Finance",
            record_type=RecordType.QUOTE,
            condition=parse_condition("sku_rule_broken == true"),
            approver_kind=ApproverKind.ROLE_IN_SEGMENT,
            approver_role=Role.FINANCE,
        ),
    )
    declare(
        admin,
        shop.workshop,
        SkuRelationKind.REQUIRES,
        "PLATFORM",
        SkuRuleConsequence.APPROVAL,
    )
    quote = add(admin, add(admin, empty_quote(admin), shop.pageviews), shop.platform)
    assert quote.approvals_needed == []
    quote = add(admin, quote, shop.workshop)
    assert quote.approvals_needed == []  # the platform it requires is there
    platform = quote.lines[1]
    kept = [line for line in quote.lines if line.id != platform.id]
    edit = QuoteEdit(
        lines=[
            QuoteLineIn(line_id=line.id, quantity=line.quantity, discount_pct=line.discount_pct)
            for line in kept
        ],
        starts_on=STARTS,
    )
    ae = admin.as_user("ae")
    quote = quotes.update_quote(ae, quote.id, quote.version, edit)
    assert [need.rule for need in quote.approvals_needed] == [
        "Unusual SKU combinations need Finance"
    ]
    result = builder.submit_quote(ae, quote.id, quote.version)
    assert (result.quote.status, result.approvers) == (QuoteStatus.PENDING_APPROVAL, ["Fin Ance"])
