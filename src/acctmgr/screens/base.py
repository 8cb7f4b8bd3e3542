"""What every acctmgr screen shares: calling use cases off the UI thread, errors as notices.

A use case runs in a thread (``asyncio.to_thread``), so the screen keeps taking keys while the
database works. An error a person caused comes back as a notification with its sentence (or
beside its field); anything unexpected is logged and reported in one sentence too.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from textual import events
from textual.screen import UPDATE_PERIOD, ModalScreen, Screen

from acctmgr.errors import AcctmgrError
from acctmgr.services.kernel.context import Context

if TYPE_CHECKING:
    from acctmgr.app import AcctmgrApp
    from acctmgr.widgets.form import Form

log = logging.getLogger("acctmgr.screens")
R = TypeVar("R")
# The shortest time between two frames: Textual's, from TEXTUAL_FPS (60 a second by default).
FRAME = UPDATE_PERIOD
UNEXPECTED = "Something unexpected went wrong; the details are in the log file."


class _UsesServices:
    """What screens and dialogs share: the app, its context, and use cases off the UI thread."""

    app: Any

    @property
    def acctmgr(self) -> AcctmgrApp:
        return cast("AcctmgrApp", self.app)

    @property
    def context(self) -> Context:
        return self.acctmgr.context

    async def call(self, fn: Callable[..., R], *args: Any, **kwargs: Any) -> R | None:
        """Run a use case in a thread; on failure notify and return None."""
        return await call_service(self.app, self.context, fn, *args, **kwargs)

    async def run_service(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run a use case in a thread, letting its AcctmgrError reach the caller (a form
        shows it beside its field)."""
        return await asyncio.to_thread(fn, self.context, *args, **kwargs)


class _PaintsWhenDue(Screen[Any]):
    """Paints as soon as a frame is due, and no sooner.

    Textual paints a screen on a timer, at most ``MAX_FPS`` times a second. After the timer
    has rested, the frame that follows the one that woke it comes one to two periods later
    (17-33 ms at 60 a second): it counts a period on from the last frame it was due to paint,
    finds that one missed, and waits for the next. Search results, which arrive a few
    milliseconds after the frame that echoed the keystroke, waited that long to be seen
    (benchmarks/search.py). Here a screen with something to paint when its messages run out
    paints then, if a period has passed since it last painted, and starts the timer's count
    again from that paint; otherwise the timer paints it, a period after the last paint at the
    soonest. Frames stay at least a period apart.
    """

    _painted_at = 0.0

    def _compositor_refresh(self) -> None:
        self._painted_at = time.monotonic()
        super()._compositor_refresh()

    async def _on_idle(self, event: events.Idle) -> None:
        if time.monotonic() - self._painted_at >= FRAME:
            painted_before = self._painted_at
            # What the timer does when it fires: lay out and paint what changed, if anything.
            self._on_timer_update()
            if self._painted_at != painted_before:
                timer = self._update_timer
                timer.reset()  # its next frame is counted from this paint...
                timer.pause()  # ...and waits to be asked for, as after any frame
        await super()._on_idle(event)


class AcctmgrScreen(_UsesServices, _PaintsWhenDue):
    """A screen of the acctmgr app."""


class AcctmgrModal(_UsesServices, _PaintsWhenDue, ModalScreen[Any]):
    """A dialog over an acctmgr screen."""


async def submit_form(
    screen: Any, form: Form, save: Callable[[dict[str, str]], Awaitable[R]]
) -> tuple[bool, R | None]:
    """Run ``save`` with the form's values: (True, its result), or (False, None) with the
    refusal shown beside its field, or as a notification when no field fits."""
    # Imported here: pydantic stays off the launch path (screens/my_day.py needs this module).
    from pydantic import ValidationError

    form.clear_errors()
    try:
        return True, await save(form.values())
    except ValidationError as error:
        left = form.show_validation(error)
        if left:
            screen.notify(left, severity="error", timeout=8)
    except AcctmgrError as error:
        left = form.show_refusal(error)
        if left:
            screen.notify(left, severity="error", timeout=8)
    except Exception:
        log.exception("%s failed", type(screen).__name__)
        screen.notify(UNEXPECTED, severity="error", timeout=8)
    return False, None


async def call_service(
    app: Any, context: Context, fn: Callable[..., R], *args: Any, **kwargs: Any
) -> R | None:
    """Run ``fn(context, ...)`` in a thread and turn failures into notifications."""
    try:
        return await asyncio.to_thread(fn, context, *args, **kwargs)
    except AcctmgrError as error:
        app.notify(error.message, severity="error", timeout=8)
    except Exception:
        log.exception("use case %s failed", getattr(fn, "__name__", fn))
        app.notify(UNEXPECTED, severity="error", timeout=8)
    return None
