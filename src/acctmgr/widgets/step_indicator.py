"""Where a guided process stands: each step done, current or next, and who holds the ball."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from textual.content import Content
from textual.widgets import Static

MARKS = {"done": "✓", "current": "▶", "next": "·", "stopped": "✕", "skipped": "-"}
STYLES = {
    "done": "$text-success",
    "current": "bold reverse $accent",
    "next": "$text-muted",
    "stopped": "bold $text-error",
    "skipped": "$text-disabled",
}


class StepState(Protocol):
    @property
    def label(self) -> str: ...

    @property
    def state(self) -> str: ...

    @property
    def holder(self) -> str: ...


class StepIndicator(Static):
    """Two lines: the numbered steps with their marks, then the current step and its holder."""

    DEFAULT_CSS = """
    StepIndicator { height: auto; padding: 0 1; background: $boost; }
    """

    def show(self, steps: Sequence[StepState], holder: str) -> None:
        marks = Content.assemble(
            *(
                part
                for number, step in enumerate(steps, 1)
                for part in (
                    (f"{MARKS.get(step.state, '·')}{number}", STYLES.get(step.state, "")),
                    " ",
                )
            )
        )
        current = next(
            ((number, step) for number, step in enumerate(steps, 1) if step.state == "current"),
            None,
        )
        stopped = next(
            ((number, step) for number, step in enumerate(steps, 1) if step.state == "stopped"),
            None,
        )
        if stopped is not None:
            number, step = stopped
            line = Content.assemble(
                (f"{step.holder.capitalize()} at step {number} of {len(steps)}", "bold"),
                f": {step.label}; the steps after it were never reached.",
            )
        elif current is None:
            line = Content("All steps done.")
        else:
            number, step = current
            following = steps[number] if number < len(steps) else None
            after = f" · next: {following.label}" if following else ""
            line = Content.assemble(
                (f"Step {number} of {len(steps)}: {step.label}", "bold"),
                f" — with {holder}{after}",
            )
        self.update(Content("\n").join([marks, line]))
