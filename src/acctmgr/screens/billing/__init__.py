"""The invoice review queue, an invoice with its actions, payments, the billing policy."""
