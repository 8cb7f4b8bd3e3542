"""Every template is filled in here: in a small pool of worker processes, each under limits.

A template is code an admin wrote. Run in the app's own process, one C operation in it could
hold the interpreter past any timer, or take gigabytes, and hang or kill the TUI, the outbox
worker or an SSH host. So previews, stored documents (the HTML and its PDF) and e-mails are all
filled in by ``fill_in``, which:

1. checks the text in this process first (``sandbox.check_source``: length, syntax, nesting);
2. hands it to one of ``SIZE`` worker processes (``render_process``), started with the
   "forkserver" method on the first render (or as a template is opened), each with 256 MB
   and 5 s of CPU per render;
3. replaces a worker that ran out of memory, was killed by the kernel at its CPU limit, or
   died; and kills one that has not answered after ``WALL_FACTOR`` times its CPU limit by the
   clock (a busy machine shares its cores: the CPU limit, not the clock, judges a template);
4. returns the text (and the PDF), or raises InvalidInput with one sentence for every failure.

The pool is shut down when the interpreter exits (each pytest-xdist worker has its own).
"""

from __future__ import annotations

import atexit
import multiprocessing
import queue
import signal
import sys
import threading
import types
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from acctmgr.errors import InvalidInput
from acctmgr.services.documents import render_process
from acctmgr.services.documents.render_process import MEMORY_BYTES, Reply, Request
from acctmgr.services.documents.sandbox import check_source, too_deep

SIZE = 2
MAX_SECONDS = 5.0  # of CPU time, for one render and its PDF
# By the wall clock, a worker may take this many times its CPU limit (plus 2 s) to answer
# before it is killed: on two cores shared by four busy processes a 2 s render takes 8 s.
WALL_FACTOR = 4
# Imported once by the fork server, so a new worker starts in milliseconds.
PRELOAD = ["acctmgr.services.documents.render_process", "acctmgr.services.documents.pdf"]


@dataclass(frozen=True)
class Filled:
    text: str
    pdf: bytes  # empty unless it was asked for


def fill_in(
    name: str,
    source: str,
    variables: dict[str, Any],
    *,
    locale: str = "en_US",
    pdf_title: str | None = None,
    lay_out_only: bool = False,
    seconds: float = MAX_SECONDS,
) -> Filled:
    """Render template text with ``variables`` in a worker process, and its PDF when
    ``pdf_title`` is given (only laid out, to see that it can be, with ``lay_out_only``).

    Raises InvalidInput, with one sentence beside the body, when the template does not parse,
    nests too deeply, is refused by the sandbox, or passes its time or memory.
    """
    check_source(name, source, locale=locale)
    reply = POOL.ask(Request(name, source, variables, locale, seconds, pdf_title, lay_out_only))
    if reply.failure is None:
        return Filled(reply.text, reply.pdf)
    raise InvalidInput(_sentence(name, reply, seconds), field="body")


def warm_up() -> None:
    """Start the workers in the background, so the first preview does not wait for them
    (about a second): the template editor calls it when it opens a template."""
    threading.Thread(target=POOL.start, name="acctmgr-render-start", daemon=True).start()


def _sentence(name: str, reply: Reply, seconds: float) -> str:
    match reply.failure:
        case "refused":
            return reply.text
        case "slow":
            return f"The template {name} took longer than {seconds:g} seconds and was stopped."
        case "slow_pdf":
            return f"The template {name} makes a PDF too long to lay out in {seconds:g} seconds."
        case "memory":
            return (
                f"The template {name} needed more than the {MEMORY_BYTES // 2**20} MB a "
                "template may use and was stopped."
            )
        case "deep":
            return too_deep(name)
        case "crashed":
            return f"The process filling in the template {name} stopped, so it was not used."
        case _:
            return f"The template {name} cannot be filled in: {reply.text}."


@dataclass
class _Worker:
    process: BaseProcess
    connection: Connection


class RenderPool:
    """``size`` worker processes, started on first use, each serving one render at a time."""

    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: list[_Worker] = []
        self._lock = threading.Lock()
        self._closes_at_exit = False

    def ask(self, request: Request) -> Reply:
        """The worker's reply to ``request``; "slow" when the worker had to be killed on it,
        "crashed" when it died on it twice (a worker killed from outside is no fault of the
        template: the request goes once more to a fresh one). A worker that failed is
        replaced."""
        self.start()
        worker = self._idle.get()
        try:
            if not worker.process.is_alive():
                worker = self._replace(worker)
            reply = _exchange(worker, request)
            if reply.failure == "crashed":
                worker = self._replace(worker)
                reply = _exchange(worker, request)
            if reply.failure in ("slow", "memory", "crashed"):
                worker = self._replace(worker)
        finally:
            self._idle.put(worker)
        return reply

    def pids(self) -> list[int]:
        """The process ids of the workers (for tests and diagnostics)."""
        with self._lock:
            return [worker.process.pid for worker in self._workers if worker.process.pid]

    def close(self) -> None:
        """Stop every worker: each finishes on its closed pipe, or is killed after a second."""
        with self._lock:
            workers, self._workers = self._workers, []
            self._idle = queue.Queue()
        for worker in workers:
            _stop(worker)

    def start(self) -> None:
        """Start the workers, unless they run; the first render does it if nothing did."""
        with self._lock:
            if self._workers:
                return
            for _ in range(self.size):
                worker = _new_worker()
                self._workers.append(worker)
                self._idle.put(worker)
            if not self._closes_at_exit:
                atexit.register(self.close)
                self._closes_at_exit = True

    def _replace(self, worker: _Worker) -> _Worker:
        _stop(worker, kill=True)
        fresh = _new_worker()
        with self._lock:
            self._workers = [fresh if each is worker else each for each in self._workers]
        return fresh


def _exchange(worker: _Worker, request: Request) -> Reply:
    """Send ``request`` to ``worker`` and wait for its reply, up to the backstop."""
    try:
        worker.connection.send(request)
        if not worker.connection.poll(request.seconds * WALL_FACTOR + 2):
            return Reply("slow")
        reply: Reply = worker.connection.recv()
    except (EOFError, OSError):
        worker.process.join(1.0)
        if worker.process.exitcode == -signal.SIGXCPU:  # the kernel, at its CPU limit
            return Reply("slow")
        return Reply("crashed")
    return reply


_STARTING = threading.Lock()


def _new_worker() -> _Worker:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    ours, theirs = context.Pipe()
    process = context.Process(
        target=render_process.serve, args=(theirs,), name="acctmgr-render", daemon=True
    )
    with _STARTING, _started_plainly():  # one at a time: each puts back what it found
        process.start()
    theirs.close()
    return _Worker(process, ours)


@contextmanager
def _started_plainly() -> Iterator[None]:
    """While a worker starts, show multiprocessing a bare ``__main__`` and the interpreter's
    own stderr.

    It would otherwise have the worker run the program's main script again (the ``acctmgr``
    entry point, pytest, a benchmark): seconds of imports, within the worker's 256 MB, for
    nothing, as the worker needs only the modules in ``PRELOAD``. And it hands its helper
    processes the file descriptor of ``sys.stderr``, which the TUI replaces with a capture
    that has none.
    """
    main, stderr = sys.modules["__main__"], sys.stderr
    sys.modules["__main__"] = types.ModuleType("__main__")
    sys.stderr = sys.__stderr__
    try:
        yield
    finally:
        sys.modules["__main__"], sys.stderr = main, stderr


def _stop(worker: _Worker, *, kill: bool = False) -> None:
    if kill:
        worker.process.kill()
    worker.connection.close()
    worker.process.join(1.0)
    if worker.process.is_alive():
        worker.process.kill()
        worker.process.join(1.0)


POOL = RenderPool()
