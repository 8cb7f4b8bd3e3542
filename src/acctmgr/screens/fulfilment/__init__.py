"""Fulfilment's screens: orders, entitlements and the ERP exports."""
