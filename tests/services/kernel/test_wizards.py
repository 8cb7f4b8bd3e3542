"""A wizard declared as data: its stages in order, their holders, and where a record stands."""

from __future__ import annotations

import pytest

from acctmgr.domain.records import RecordType
from acctmgr.services.kernel.wizards import StageSpec, WizardSpec
from acctmgr.services.retention.stages import RETENTION, Stage

SPEC = WizardSpec(
    "Offer",
    RecordType.OFFER,
    (
        StageSpec("design", "Design the package", "KAM"),
        StageSpec("approval", "Approval", "Approvers", worked=False),
        StageSpec("sign", "Signature", "Customer Services"),
    ),
)


def test_progress_marks_stages_done_current_and_next_with_their_holders() -> None:
    """Before the current stage is done, after it next; a holder function names people."""
    progress = SPEC.progress("approval", holder=lambda s: "Lena" if s.key == "approval" else "")
    assert [(p.key, p.state, p.holder) for p in progress] == [
        ("design", "done", ""),
        ("approval", "current", "Lena"),
        ("sign", "next", ""),
    ]
    assert {p.state for p in SPEC.progress("design", finished=True)} == {"done"}
    assert [s.key for s in SPEC.worked_stages()] == ["design", "sign"]


def test_a_stage_named_twice_or_unknown_is_refused() -> None:
    """A declaration with a duplicate stage fails at once; an unknown stage is a ValueError."""
    with pytest.raises(ValueError, match="names a stage twice"):
        WizardSpec("Bad", RecordType.OFFER, (StageSpec("a", "A", "x"), StageSpec("a", "B", "y")))
    with pytest.raises(ValueError, match="has no stage"):
        SPEC.stage("nowhere")


def test_the_retention_wizard_declares_its_eleven_stages_in_order() -> None:
    """The rate-reduction wizard's declaration covers every Stage, routing and approval waiting."""
    assert [s.key for s in RETENTION.stages] == list(Stage)
    waiting = [s.key for s in RETENTION.stages if not s.worked]
    assert waiting == [Stage.OPEN, Stage.ROUTING, Stage.APPROVAL]
