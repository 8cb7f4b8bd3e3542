"""Fulfilment's screens: orders, what a customer is entitled to on a date, usage."""
