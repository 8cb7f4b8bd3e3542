"""The screens' side of a wizard: a step screen and use case for exactly its worked stages."""

from __future__ import annotations

import pytest

from acctmgr.screens.retention.wizard import RETENTION_SCREENS
from acctmgr.screens.wizards.runner import Step, Wizard
from acctmgr.services.retention import views
from acctmgr.services.retention.stages import RETENTION


def test_every_worked_stage_of_the_retention_wizard_has_its_step_screen() -> None:
    """The declaration's worked stages and the screens' steps are the same set."""
    assert set(RETENTION_SCREENS.steps) == {stage.key for stage in RETENTION.worked_stages()}


def test_a_wizard_missing_a_worked_stages_screen_is_refused() -> None:
    """Leaving a worked stage without its step screen fails when the wizard is declared."""
    steps = dict(RETENTION_SCREENS.steps)
    del steps["goals"]
    with pytest.raises(ValueError, match="needs a step screen for exactly its worked stages"):
        Wizard(spec=RETENTION, load=views.get_case, steps=steps)
    assert isinstance(RETENTION_SCREENS.steps["goals"], Step)
