"""Fulfilment's screens: a contract's orders and their split preview, usage and overage,
entitlements on a date and the ERP exports."""
