"""The child side of the render pool: one worker process that fills in templates under limits.

A template is code an admin wrote, and some of its operations are single C calls that hold the
interpreter for minutes or allocate gigabytes, which no check inside the same process can stop.
So each render runs here, in a process of its own, that:

- may use ``MEMORY_BYTES`` of address space (``RLIMIT_AS``): past it an allocation fails with
  MemoryError, which this process survives, instead of the machine swapping;
- may spend ``seconds`` of CPU on one render (``ITIMER_PROF``): at the limit the render is
  interrupted between two operations; one C operation that holds the interpreter is deaf to
  that, so ``KILL_AFTER_SECONDS`` more CPU and the kernel kills the process (``RLIMIT_CPU``),
  and the parent replaces it. (The parent's wall-clock backstop, ``render_pool``, is for a
  worker that stops answering at all.)

It answers each ``Request`` with a ``Reply``: the text (and the PDF) or the kind of failure,
which the parent turns into a sentence. Nothing here writes to the terminal.
"""

from __future__ import annotations

import gc
import math
import resource
import signal
from dataclasses import dataclass
from multiprocessing.connection import Connection
from types import FrameType
from typing import TYPE_CHECKING, Any, Literal

from acctmgr.errors import InvalidInput
from acctmgr.services.documents.sandbox import render_source

if TYPE_CHECKING:
    from fpdf import FPDF

MEMORY_BYTES = 256 * 1024 * 1024
KILL_AFTER_SECONDS = 1.0  # of CPU past the render's limit, for an operation deaf to the timer
# After the CPU limit passes, the timer fires again this often, in case a handler swallowed it.
REPEAT_SECONDS = 0.05

Failure = Literal["refused", "slow", "slow_pdf", "memory", "deep", "broken", "crashed"]


@dataclass(frozen=True)
class Request:
    name: str
    source: str
    variables: dict[str, Any]
    locale: str
    seconds: float
    pdf_title: str | None = None  # given: make the PDF of the HTML too
    lay_out_only: bool = False  # lay the PDF out, to see that it can be, but make no file


@dataclass(frozen=True)
class Reply:
    failure: Failure | None = None
    text: str = ""  # the document, or for "refused" and "broken" the reason
    pdf: bytes = b""  # when the request gave a title


class TooSlow(BaseException):
    """The render's CPU time is up. A BaseException, so no ``except Exception`` in a template's
    path (Jinja2 has a few) swallows it."""


def _time_is_up(_signal: int, _frame: FrameType | None) -> None:
    raise TooSlow


def serve(connection: Connection) -> None:
    """Answer requests from ``connection`` until it closes; the body of a worker process."""
    from acctmgr.services.documents.pdf import blank_document  # preloaded by the pool

    gc.enable()  # acctmgr pauses collection while the app starts; a worker has started
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # killed at its CPU limit: no core file
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C in a terminal is for the parent
    signal.signal(signal.SIGPROF, _time_is_up)
    spare: FPDF | None = None
    while True:
        try:
            if spare is None and not connection.poll(0):
                spare = blank_document()  # read while waiting, so a PDF costs only its layout
            request = connection.recv()
        except (EOFError, OSError, MemoryError):
            return  # closed by the parent; or too little memory left: the parent starts another
        pdf = spare if request.pdf_title is not None else None
        if pdf is not None:
            spare = None
        try:
            reply = answer(request, pdf)
        except TooSlow:  # the timer fired as the answer was being made
            reply = Reply("slow")
        try:
            connection.send(reply)
        except (OSError, ValueError):
            return
        if reply.failure == "memory":
            return  # the parent starts a fresh worker: this heap may be left in pieces


def answer(request: Request, blank: FPDF | None = None) -> Reply:
    """Fill in one request within its CPU time; a failure is a kind, never an exception."""
    from acctmgr.services.documents.pdf import pdf_of

    stage: Failure = "slow"
    _kill_after(request.seconds + KILL_AFTER_SECONDS)
    signal.setitimer(signal.ITIMER_PROF, request.seconds, REPEAT_SECONDS)
    try:
        text = render_source(request.name, request.source, request.variables, locale=request.locale)
        if request.pdf_title is None:
            return Reply(text=text)
        stage = "slow_pdf"
        return Reply(
            text=text,
            pdf=pdf_of(
                text,
                name=request.name,
                title=request.pdf_title,
                blank=blank,
                lay_out_only=request.lay_out_only,
            ),
        )
    except InvalidInput as error:
        return Reply("refused", error.message)
    except TooSlow:
        return Reply(stage)
    except MemoryError:
        return Reply("memory")
    except (RecursionError, SyntaxError):
        # SyntaxError: Python's own compiler refusing the code of a template nested too deeply.
        return Reply("deep")
    except Exception as error:  # a template found a way to fail we did not foresee
        return Reply("broken", " ".join(str(error).split())[:200] or type(error).__name__)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)


def _kill_after(seconds: float) -> None:
    """Have the kernel kill this process (SIGXCPU) once it has spent ``seconds`` more CPU."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    spent = usage.ru_utime + usage.ru_stime
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    limit = math.ceil(spent + seconds)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (limit, hard))
