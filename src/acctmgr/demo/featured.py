"""The featured customers: the first customers carry the stories a trainer walks through.

They are all in Mid-market, owned by the `ae` persona, active, and complete (address, invoice
contact, e-mail). Each range says which of them carry which story.
"""

from __future__ import annotations

FEATURED = 12
APPROVAL_FEATURED = range(0, 3)  # rate reductions waiting for the leader, contracts in notice
CMS_CASE_FEATURED = range(3, 6)  # cases assigned to the cms persona
QUEUE_CASE_FEATURED = range(6, 8)  # cases waiting unassigned in the Mid-market queue
UPSELL_FEATURED = 8  # an upsell the kam persona is working on
ONBOARDING_FEATURED = range(9, 12)  # locations just added under the first National Account
