"""Fulfilment: a contract's orders and their split preview."""
