"""Billing: the invoice run, review and approval with gap-free numbers, sending as PDF and
e-invoice, credit notes, payments and the reminders of overdue invoices."""
