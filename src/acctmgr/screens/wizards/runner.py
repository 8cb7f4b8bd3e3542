"""The one runner every wizard uses, and how a wizard's screens are declared.

A wizard's service declares its stages and who holds each (``services.kernel.wizards``); its
screens add, for each stage a person works on, the step screen and the use case its typed input
goes to. ``run_wizard`` then does for every wizard what a case screen once did by hand: load the
record, pick the step for its stage if the signed-in user holds it, run it, and go on with the
next stage for as long as the user holds the record.

    RETENTION_SCREENS = Wizard(
        spec=RETENTION,                       # stages and holders, from the service
        load=cases.get_case,                  # the record's view
        steps={Stage.GOALS: Step(GoalsStep, goals.confirm_goals), ...},
    )
    await run_wizard(host_screen, RETENTION_SCREENS, case_id)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from acctmgr.screens.wizards.step import Reload
from acctmgr.services.kernel.wizards import WizardSpec

if TYPE_CHECKING:
    from acctmgr.screens.base import AcctmgrScreen
    from acctmgr.screens.wizards.step import StepScreen


class WizardRecord(Protocol):
    """What the runner reads of a record's view."""

    @property
    def id(self) -> int: ...

    @property
    def version(self) -> int: ...

    @property
    def stage(self) -> str: ...

    @property
    def mine(self) -> bool: ...


R = TypeVar("R", bound=WizardRecord)


@dataclass(frozen=True)
class Step(Generic[R]):
    """How one stage is worked: its screen, the use case its input goes to, and what else the
    screen needs loaded first (the usage review, the quote)."""

    screen: Callable[..., StepScreen]  # (record) or (record, loaded)
    # (context, record_id, expected_version, input); None when the screen calls its own.
    use_case: Callable[..., Any] | None = None
    load: Callable[..., Any] | None = None  # (context, record) -> what the screen needs


@dataclass(frozen=True)
class Wizard(Generic[R]):
    """A wizard's screens: its declaration, how its record is loaded, a step per worked stage."""

    spec: WizardSpec
    load: Callable[..., R]  # (context, record_id) -> the record's view
    steps: Mapping[str, Step[R]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        worked = {stage.key for stage in self.spec.worked_stages()}
        if set(self.steps) != worked:
            raise ValueError(
                f"The wizard {self.spec.name} needs a step screen for exactly its worked stages "
                f"{sorted(worked)}; it has {sorted(self.steps)}."
            )

    async def step_screen(self, host: AcctmgrScreen, record: R) -> StepScreen | None:
        """The screen for the record's stage, wired to its use case; None when no step is
        worked at this stage or what it needs could not be loaded (the host was told)."""
        step = self.steps.get(str(record.stage))
        if step is None:
            return None
        if step.load is None:
            screen = step.screen(record)
        else:
            loaded = await host.call(step.load, record)
            if loaded is None:
                return None
            screen = step.screen(record, loaded)
        if step.use_case is not None:
            self.wired(host, screen, step.use_case, record)
        return screen

    def wired(
        self, host: AcctmgrScreen, screen: StepScreen, use_case: Callable[..., Any], record: R
    ) -> StepScreen:
        """``screen`` handing its typed input to ``use_case`` for the record as loaded (its
        version, so a save from a stale copy is a Conflict, never an overwrite)."""

        async def submit(data: Any) -> Any:
            return await host.run_service(use_case, record.id, record.version, data)

        screen.submit = submit
        return screen


async def run_wizard(
    host: AcctmgrScreen,
    wizard: Wizard[R],
    record_id: int,
    shown: Callable[[R], Awaitable[None]] | None = None,
) -> R | None:
    """Step after step, for as long as the signed-in user holds the record.

    ``shown`` is told of the record each time it is loaded (the host repaints itself). Returns
    the record as last loaded, or None when it could not be.
    """
    carried: Reload | None = None
    while True:
        record = await host.call(wizard.load, record_id)
        if record is None:
            return None
        if shown is not None:
            await shown(record)
        if not record.mine:
            return record
        screen = await wizard.step_screen(host, record)
        if screen is None:
            return record
        if carried is not None:
            screen.carry(carried)
        result = await host.app.push_screen_wait(screen)
        carried = result if isinstance(result, Reload) else None
        if not result:
            record = await host.call(wizard.load, record_id)
            if record is not None and shown is not None:
                await shown(record)
            return record
