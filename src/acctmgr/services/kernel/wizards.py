"""A guided process declared as data: its stages in order and who holds each.

The service of a wizard declares it once (``services/retention/wizard.py`` for the rate-reduction
case); the same declaration gives the step indicator its labels and states, tells the services
which stages a person works on in a step screen (the others wait on someone: a queue, an
approval), and lets the screens' wizard runner check that every such stage has its screen.
Plain Python, so that screens read it without loading the database layer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from acctmgr.domain.records import RecordType

DONE = "done"
CURRENT = "current"
NEXT = "next"
STOPPED = "stopped"  # the record was closed here, before the end (lost, withdrawn)
SKIPPED = "skipped"  # never reached: the record was closed before it


@dataclass(frozen=True)
class StageSpec:
    """One stage: its key (what the record's view reports), its label, and who holds it."""

    key: str
    label: str
    holder: str  # the role or party, in words: "Contract Management Specialist", "CMS queue"
    # False for a stage that waits on others (a queue, an approval): no step screen works it.
    worked: bool = True


@dataclass(frozen=True)
class StageProgress:
    """A stage as the step indicator shows it: done, current or next, and with whom."""

    key: str
    label: str
    state: str
    holder: str


@dataclass(frozen=True)
class WizardSpec:
    """A wizard: the kind of record it moves along, and its stages in order."""

    name: str
    record_type: RecordType
    stages: tuple[StageSpec, ...]

    def __post_init__(self) -> None:
        keys = [stage.key for stage in self.stages]
        if len(set(keys)) != len(keys):
            raise ValueError(f"The wizard {self.name} names a stage twice: {keys}.")

    def stage(self, key: str) -> StageSpec:
        """The stage with this key; ValueError for a key the wizard does not have."""
        for stage in self.stages:
            if stage.key == key:
                return stage
        raise ValueError(f"The wizard {self.name} has no stage {key!r}.")

    def label(self, key: str) -> str:
        return self.stage(key).label

    def worked_stages(self) -> list[StageSpec]:
        """The stages a person works on in a step screen."""
        return [stage for stage in self.stages if stage.worked]

    def progress(
        self,
        current: str,
        *,
        finished: bool = False,
        stopped: bool = False,
        holder: Callable[[StageSpec], str] | None = None,
    ) -> list[StageProgress]:
        """Every stage, done before ``current``, current at it, next after it (all done once
        the record is ``finished``; stopped at it and the rest skipped when it was closed
        there), each with its holder (``holder`` names them for this record, e.g. the CMS by
        name; otherwise the declared holder)."""
        at = [stage.key for stage in self.stages].index(self.stage(current).key)
        here, after = (STOPPED, SKIPPED) if stopped else (CURRENT, NEXT)
        result = []
        for index, stage in enumerate(self.stages):
            state = DONE if finished or index < at else here if index == at else after
            who = holder(stage) if holder else stage.holder
            result.append(StageProgress(stage.key, stage.label, state, who))
        return result
