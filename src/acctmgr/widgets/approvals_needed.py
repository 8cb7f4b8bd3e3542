"""The approvals a record needs, in words: one preview for every approvable record.

Each line says the tier, the rule, who decides and within what SLA; a smart rule's line adds
whether an approval from the last round carries over, and why. The quote editor and the
retention review show the same text, and a new approvable record shows it too.
"""

from __future__ import annotations

from collections.abc import Sequence

from acctmgr.services.approvals.preview import RequiredApproval
from acctmgr.widgets.text import safe


def need_line(need: RequiredApproval) -> str:
    """``tier 1 · Discounts above 30% need Finance: Fin Ance, within 48 h``."""
    if need.carried:
        return f"tier {need.tier} · {safe(need.rule)}: given already"
    who = ", ".join(safe(name) for name in need.deciders or need.names) or need.blocked
    sla = f", within {need.sla_hours} h" if need.sla_hours else ""
    return f"tier {need.tier} · {safe(need.rule)}: {who}{sla}"


def approvals_lines(needs: Sequence[RequiredApproval], indent: str = "  ") -> list[str]:
    """A line per approval needed, with its carry-over sentence under it; "none" for none."""
    if not needs:
        return ["none"]
    lines = []
    for need in needs:
        lines.append(indent + need_line(need))
        if need.carry_over:
            lines.append(f"{indent}    {need.carry_over}")
    return lines
