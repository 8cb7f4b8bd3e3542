"""Fulfilment's screens: a contract's orders and their split preview, what a customer is
entitled to on a date, usage and overage, and the ERP exports."""
