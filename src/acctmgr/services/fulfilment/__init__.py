"""Fulfilment: from a finalised contract to its orders, to the subscriptions and entitlements
they start, the usage measured against them, and what the ERP is told.

It sits above sales and contracts (it carries out their quotes and contracts) and below the
wizards, which hand their signed contracts to it.
"""
