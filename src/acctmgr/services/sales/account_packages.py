"""An account's own packages: a key account's offering saved from a quote, to start the next
offer from (seed 001: "design specific packages/offerings").

It is a catalogue ``Package`` linked to the account by an ``AccountPackage`` row, so it has
the catalogue's items and rules, but it is offered to that account only: the catalogue's
package list and the starter pack leave it out (``catalogue.packages.for_everyone``).
"""

from __future__ import annotations

from sqlalchemy import func, select

from acctmgr.errors import InvalidInput, PermissionDenied
from acctmgr.models import (
    Account,
    AccountPackage,
    Package,
    PackageItem,
    Quote,
    Role,
    Sku,
    SkuVersion,
)
from acctmgr.services.catalogue.packages import PackageView, package_view
from acctmgr.services.kernel.permissions import require_segment
from acctmgr.services.kernel.text import single_line
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case

MAX_NAME = 200


@use_case("account_packages.save_from_quote")
def save_from_quote(uow: UnitOfWork, quote_id: int, name: str) -> PackageView:
    """Save the quote's catalogue lines (each SKU with its quantity; a SKU on several lines
    once, with their quantities added) as a package of the quote's account, named ``name``,
    with a code of its own made from the account's id (``ACC42-1``, ``ACC42-2``…).

    Only the account's Key Account Manager, its owner, a Segment Leader of its segment or an
    Admin may (PermissionDenied). InvalidInput for an empty name, a quote without catalogue
    lines, or a line whose SKU was retired since.
    """
    quote = uow.get(Quote, quote_id, "quote")
    account = uow.get(Account, quote.account_id, "account")
    _check_may_save(uow, account)
    name = single_line(name, what="name", field="name").strip()
    if not name:
        raise InvalidInput("Give the package a name.", field="name")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"A package's name is at most {MAX_NAME} characters.", field="name")
    quantities = _quantities(uow, quote)
    package = uow.add(
        Package(code=_new_code(uow, account.id), name=name, description=f"From {quote.number}")
    )
    package.items = [PackageItem(sku_id=sku, quantity=qty) for sku, qty in quantities.items()]
    uow.add(AccountPackage(package_id=package.id, account_id=account.id))
    return package_view(uow, package)


@use_case("account_packages.list", write=False)
def list_account_packages(uow: UnitOfWork, account_id: int) -> list[PackageView]:
    """The account's own packages that are not retired, latest first, for anyone who may see
    the account (PermissionDenied for another segment)."""
    account = uow.get(Account, account_id, "account")
    require_segment(uow.user, account.segment_id, what="account")
    found = uow.session.scalars(
        select(Package)
        .join(AccountPackage, AccountPackage.package_id == Package.id)
        .where(AccountPackage.account_id == account.id, Package.retired_at.is_(None))
        .order_by(Package.id.desc())
    )
    return [package_view(uow, package) for package in found]


def _check_may_save(uow: UnitOfWork, account: Account) -> None:
    user = uow.user
    require_segment(user, account.segment_id, what="account")
    if user.has(Role.ADMIN) or user.id in (account.key_account_manager_id, account.owner_id):
        return
    if user.has(Role.SEGMENT_LEADER) and user.segment_id == account.segment_id:
        return
    raise PermissionDenied(
        "Only the account's Key Account Manager or owner, a Segment Leader of its segment or "
        "an Admin can save a package for it."
    )


def _quantities(uow: UnitOfWork, quote: Quote) -> dict[int, int]:
    """SKU id → quantity of the quote's catalogue lines, in the order they first appear."""
    version_ids = [line.sku_version_id for line in quote.lines if line.sku_version_id]
    if not version_ids:
        raise InvalidInput(
            "The quote has no catalogue lines to save; a package holds catalogue SKUs only."
        )
    skus = {
        version_id: (sku_id, code, retired_at)
        for version_id, sku_id, code, retired_at in uow.session.execute(
            select(SkuVersion.id, Sku.id, Sku.code, Sku.retired_at)
            .join(Sku, Sku.id == SkuVersion.sku_id)
            .where(SkuVersion.id.in_(version_ids))
        )
    }
    quantities: dict[int, int] = {}
    for line in quote.lines:
        if not line.sku_version_id:
            continue  # an exception outside the catalogue is no SKU to package
        sku_id, code, retired_at = skus[line.sku_version_id]
        if retired_at is not None:
            raise InvalidInput(
                f"SKU {code} was retired on {retired_at:%d %b %Y}; remove its line first."
            )
        quantities[sku_id] = quantities.get(sku_id, 0) + line.quantity
    return quantities


def _new_code(uow: UnitOfWork, account_id: int) -> str:
    """The next free code of the account's packages: ``ACC42-3`` for its third."""
    # Two saves for one account at once take turns on its row, so they never pick one code.
    uow.session.execute(select(Account.id).where(Account.id == account_id).with_for_update())
    count = uow.session.scalar(
        select(func.count())
        .select_from(AccountPackage)
        .where(AccountPackage.account_id == account_id)
    )
    number = (count or 0) + 1
    while True:
        code = f"ACC{account_id}-{number}"
        if uow.session.scalar(select(Package.id).where(Package.code == code)) is None:
            return code
        number += 1  # an admin's catalogue package took the code: the next one is free
