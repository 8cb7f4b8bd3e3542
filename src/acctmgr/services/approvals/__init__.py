"""Approval rules, the approvals a record needs, decisions, reminders and overdue alerts."""
