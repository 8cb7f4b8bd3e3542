"""Customer Services' last step of the offer wizard: the finalised contract's orders."""

from __future__ import annotations

from textual.binding import Binding

from acctmgr.screens.fulfilment.orders import OrdersScreen
from acctmgr.services.key_accounts.offer_views import OfferView


class OrdersStep(OrdersScreen):
    """The orders screen of the offer's contract; Escape leaves it, ordered or for later."""

    BINDINGS = [Binding("escape", "leave", "Back")]

    def __init__(self, offer: OfferView) -> None:
        super().__init__(offer.contract_id or 0)

    def action_leave(self) -> None:
        self.dismiss(False)
