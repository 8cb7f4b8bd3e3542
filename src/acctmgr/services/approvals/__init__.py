"""Approval rules, the approvals a record needs, decisions, reminders and overdue alerts.

Rules are data an admin changes: a condition on the record's facts, and an approver at a tier
(a user, a role within the record's segment, or a group needing any or all of its members).
Submitting a record evaluates every active rule of its type; tiers then run in order and the
approvals within a tier in parallel. Nobody approves a request they submitted or a record they
own, and a request is bound to the exact version of the record it was submitted with.

    record_kinds      the records that can be approved (quotes today), registered at start
    conditions        when a rule applies: conditions on facts, and their operators
    rule_conditions   conditions as an admin types them (``discount_pct > 30``)
    rules             the rules and approval groups, and the rules a new database starts with
    routing           who must approve a record, and who may decide an approval
    requests          submitting, tiers, recalling, stale requests, whether a record is approved
    decisions         approving and rejecting
    inbox             what waits for the signed-in user, and a request as people read it
    deadlines         reminders before an approval is due, and alerts once it is late
"""
