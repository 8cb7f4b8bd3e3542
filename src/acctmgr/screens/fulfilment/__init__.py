"""Fulfilment screens: orders, entitlements, usage and overage."""
