"""Combinations of SKUs an admin declares: one SKU requires another on the same quote, or the
two exclude each other, and what a quote breaking that gets.

A broken combination either refuses the quote (it cannot be saved or submitted so, and the
sentence names both SKUs) or needs approval: the quote gets the fact ``sku_rule_broken`` and an
approval rule on it says who approves. "Excludes" goes both ways, so A excludes B and B excludes
A are one declaration; a pair cannot both require and exclude, nor a SKU be related to itself.
The quote's side is ``broken_combinations``, which the quote builder asks for its lines' SKUs.
"""

from __future__ import annotations

from collections.abc import Collection

from pydantic import BaseModel, Field
from sqlalchemy import and_, or_, select

from acctmgr.domain.catalogue import SkuRelationKind, SkuRuleConsequence
from acctmgr.errors import InvalidInput
from acctmgr.models import Role, Sku, SkuRelation, SkuVersion
from acctmgr.services.kernel.permissions import require_role
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.text_fields import SingleLine
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case


class SkuRelationIn(BaseModel):
    """A declaration as an admin types it on a SKU: the other SKU by its code."""

    sku_id: int
    kind: SkuRelationKind
    other_sku: SingleLine = Field(min_length=1, max_length=40)
    consequence: SkuRuleConsequence


class SkuRelationView(ReadModel):
    id: int
    sku_id: int
    sku_code: str
    other_sku_id: int
    other_code: str
    kind: SkuRelationKind
    consequence: SkuRuleConsequence
    sentence: str  # "Premium Support requires Platform Licence on the same quote."


@use_case("catalogue.declare_sku_relation")
def declare_sku_relation(uow: UnitOfWork, data: SkuRelationIn) -> list[SkuRelationView]:
    """Declare that a SKU requires, or excludes, another on a quote; returns the SKU's
    declarations. Only an Admin can.

    Refused (InvalidInput) for an unknown other SKU, the SKU itself, a pair already declared so
    (an exclusion either way round), and a pair declared the other way (requiring and excluding
    at once could never be met). Quotes already saved are checked when they next change.
    """
    require_role(uow.user, Role.ADMIN, to="change the catalogue")
    sku = uow.get(Sku, data.sku_id, "SKU")
    code = data.other_sku.strip().upper()
    other = uow.session.scalars(select(Sku).where(Sku.code == code)).one_or_none()
    if other is None:
        raise InvalidInput(f"There is no SKU {code} in the catalogue.", field="other_sku")
    if other.id == sku.id:
        raise InvalidInput(
            f"SKU {sku.code} cannot require or exclude itself; name another SKU.",
            field="other_sku",
        )
    for existing in _between(uow, sku.id, other.id):
        same = existing.kind is data.kind and (
            existing.sku_id == sku.id or data.kind is SkuRelationKind.EXCLUDES
        )
        if same:
            raise InvalidInput(f"{_sentence(uow, existing)[:-1]}: that is declared already.")
        if existing.kind is not data.kind:
            raise InvalidInput(
                f"{_sentence(uow, existing)[:-1]}, so they cannot also {data.kind.value[:-1]} "
                "each other; remove that first.",
                field="kind",
            )
    uow.add(
        SkuRelation(
            sku_id=sku.id, other_sku_id=other.id, kind=data.kind, consequence=data.consequence
        )
    )
    return _views(uow, sku.id)


@use_case("catalogue.remove_sku_relation")
def remove_sku_relation(uow: UnitOfWork, relation_id: int, seen_from: int) -> list[SkuRelationView]:
    """Remove a declaration; returns the combinations the SKU ``seen_from`` (either of its two)
    is still in. Only an Admin can; quotes are no longer checked against it."""
    require_role(uow.user, Role.ADMIN, to="change the catalogue")
    relation = uow.get(SkuRelation, relation_id, "SKU combination")
    uow.session.delete(relation)
    uow.session.flush()
    return _views(uow, seen_from)


@use_case("catalogue.sku_relations", write=False)
def sku_relations(uow: UnitOfWork, sku_id: int) -> list[SkuRelationView]:
    """The combinations a SKU is in, declared on it or on the other SKU, oldest first."""
    uow.get(Sku, sku_id, "SKU")
    return _views(uow, sku_id)


def broken_combinations(uow: UnitOfWork, sku_ids: Collection[int]) -> list[SkuRelationView]:
    """The declarations a quote selling these SKUs breaks: a SKU without one it requires, or
    two that exclude each other; oldest first."""
    present = set(sku_ids)
    if not present:
        return []
    found = uow.session.scalars(
        select(SkuRelation).where(SkuRelation.sku_id.in_(present)).order_by(SkuRelation.id)
    )
    broken = [
        relation
        for relation in found
        if (relation.other_sku_id in present) == (relation.kind is SkuRelationKind.EXCLUDES)
    ]
    return [_view(uow, relation) for relation in broken]


# --- internals ----------------------------------------------------------------------------------


def _between(uow: UnitOfWork, one: int, other: int) -> list[SkuRelation]:
    return list(
        uow.session.scalars(
            select(SkuRelation).where(
                or_(
                    and_(SkuRelation.sku_id == one, SkuRelation.other_sku_id == other),
                    and_(SkuRelation.sku_id == other, SkuRelation.other_sku_id == one),
                )
            )
        )
    )


def _views(uow: UnitOfWork, sku_id: int) -> list[SkuRelationView]:
    found = uow.session.scalars(
        select(SkuRelation)
        .where(or_(SkuRelation.sku_id == sku_id, SkuRelation.other_sku_id == sku_id))
        .order_by(SkuRelation.id)
    )
    return [_view(uow, relation) for relation in found]


def _view(uow: UnitOfWork, relation: SkuRelation) -> SkuRelationView:
    names = _names(uow, (relation.sku_id, relation.other_sku_id))
    return SkuRelationView(
        id=relation.id,
        sku_id=relation.sku_id,
        sku_code=names[relation.sku_id][0],
        other_sku_id=relation.other_sku_id,
        other_code=names[relation.other_sku_id][0],
        kind=relation.kind,
        consequence=relation.consequence,
        sentence=_sentence(uow, relation, names),
    )


def _sentence(
    uow: UnitOfWork, relation: SkuRelation, names: dict[int, tuple[str, str]] | None = None
) -> str:
    """The declaration in words, by the SKUs' current names, as the refusal says it."""
    names = names or _names(uow, (relation.sku_id, relation.other_sku_id))
    one, other = names[relation.sku_id][1], names[relation.other_sku_id][1]
    if relation.kind is SkuRelationKind.REQUIRES:
        return f"{one} requires {other} on the same quote."
    return f"{one} and {other} cannot be on one quote."


def _names(uow: UnitOfWork, sku_ids: tuple[int, int]) -> dict[int, tuple[str, str]]:
    """Each SKU's code and current name."""
    rows = uow.session.execute(
        select(Sku.id, Sku.code, SkuVersion.name)
        .join(SkuVersion, SkuVersion.id == Sku.current_version_id)
        .where(Sku.id.in_(sku_ids))
    )
    return {sku_id: (code, name) for sku_id, code, name in rows}
