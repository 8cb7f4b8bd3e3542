"""The approvals inbox, one request, and the approval rules."""
