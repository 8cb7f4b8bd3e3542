"""My day's orders to activate, read in plain SQL, list what their ORM twin lists."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from acctmgr.domain.roles import Role
from acctmgr.services.fulfilment import order_views, orders
from acctmgr.services.fulfilment.split import SplitBy
from acctmgr.services.kernel.context import Context
from acctmgr.services.my_day import day as my_day_service
from acctmgr.services.people import users as user_service
from tests.fulfilment_support import finalised_contract
from tests.services.fulfilment.orders_support import confirmed, two_locations

LOGINS = ("admin", "ae", "cms", "kam", "cs", "cs-ent")


def test_orders_to_activate_are_their_orm_twins(admin: Context, tmp_path: Path) -> None:
    """For every user, My day's orders to activate are the drafts the ORM lists, earliest
    start first, for Customer Services of every segment; activated ones are not listed."""
    made = two_locations(admin, tmp_path)
    user_service.create_user(
        admin,
        user_service.UserIn(
            login="cs-ent",
            name="Cy Service",
            email="cs-ent@example.com",
            segment_code="ENT",
            roles=frozenset({Role.CUSTOMER_SERVICES}),
        ),
    )
    cs = admin.as_user("cs")
    berlin, munich = orders.create_orders(
        cs, made.contract_id, confirmed(cs, made.contract_id, SplitBy.LOCATION)
    ).orders
    other = finalised_contract(admin, tmp_path, name="Other AG", starts_on=date(2027, 2, 1))
    (late,) = orders.create_orders(cs, other.contract_id, confirmed(cs, other.contract_id)).orders
    orders.activate_order(cs, berlin.order_id, berlin.version)
    for login in LOGINS:
        user = admin.as_user(login)
        plain = my_day_service.my_day(user).items("orders_to_activate")
        orm = order_views.orders_to_activate(user)
        if login in ("cs", "cs-ent"):
            assert [item.title.split()[0] for item in plain] == [late.number, munich.number]
            assert [(item.record_id, item.account_id, item.when) for item in plain] == [
                (row.contract_id, row.account_id, row.starts_on) for row in orm
            ], login
        else:
            assert plain == [], login
