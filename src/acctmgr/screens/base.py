"""What every acctmgr screen shares: calling use cases off the UI thread, errors as notices.

A use case runs in a thread (``asyncio.to_thread``), so the screen keeps taking keys while the
database works. An error a person caused comes back as a notification with its sentence (or
beside its field); anything unexpected is logged and reported in one sentence too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from textual.screen import Screen

from acctmgr.errors import AcctmgrError
from acctmgr.services import Context

if TYPE_CHECKING:
    from acctmgr.app import AcctmgrApp

log = logging.getLogger("acctmgr.screens")
R = TypeVar("R")
UNEXPECTED = "Something unexpected went wrong; the details are in the log file."


class AcctmgrScreen(Screen[Any]):
    """A screen of the acctmgr app."""

    @property
    def acctmgr(self) -> AcctmgrApp:
        return cast("AcctmgrApp", self.app)

    @property
    def context(self) -> Context:
        return self.acctmgr.context

    async def call(self, fn: Callable[..., R], *args: Any, **kwargs: Any) -> R | None:
        """Run a use case in a thread; on failure notify and return None."""
        return await call_service(self.app, self.context, fn, *args, **kwargs)


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
