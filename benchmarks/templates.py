"""Template previews, and the largest real document, filled in by the render pool's workers.

Previews the shipped purchase order (its HTML and its PDF, as F5 in the editor does) through
the ``templates.preview`` use case: first with no worker started, then 1 s after opening the
template (``templates.get``, which starts them), then again and again, pausing between previews
as a person between two F5s. Then renders a 200-line PO in de_DE with its PDF, as sending one
does, and reads the worker's CPU time and peak address space from /proc (Linux), against its
limits of 5 s and 256 MB.

    python benchmarks/templates.py
"""

from __future__ import annotations

import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.support import clock, database_path, percentile

PREVIEWS = 40
PAUSE_SECONDS = 0.5  # between two previews, as between a person's keys
PO = "po.html.j2"
LINES = 200


def _worker_usage(pid: int) -> tuple[float, int]:
    """CPU seconds used by a worker so far, and its peak address space in bytes."""
    import os

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    peak = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmPeak:"))
    return cpu, peak


def _po_lines() -> list[dict[str, object]]:
    from acctmgr.services.documents.customer_documents import printed_line

    return [
        printed_line(
            f"Analytics seat {number} for the Müller & Söhne site in München",
            quantity=1 + number % 7,
            list_price_minor=120_000 + number * 1_000,
            discount_pct=Decimal(number % 15),
            net_minor=(1 + number % 7) * (120_000 + number * 1_000) * (100 - number % 15) // 100,
            consume_by=date(2027, 6, 30) if number % 5 == 0 else None,
            included_volume=500_000 if number % 9 == 0 else None,
            overage=[(500_000, 2), (2_000_000, 1)] if number % 9 == 0 else [],
            statement_of_work="Set up tracking and train two analysts." if number % 11 else "",
        )
        for number in range(LINES)
    ]


def main() -> None:
    from acctmgr.db import Database
    from acctmgr.services.bootstrap import bootstrap
    from acctmgr.services.documents import rendering, sample_data
    from acctmgr.services.documents import templates as template_service
    from acctmgr.services.documents.customer_documents import totals
    from acctmgr.services.documents.render_pool import POOL, fill_in
    from acctmgr.services.kernel.context import Context

    bootstrap()
    database = Database(f"sqlite:///{database_path(accounts=100)}")
    admin = Context(database, clock(), "admin")
    body = rendering.shipped_template(PO)

    started = time.perf_counter()
    template_service.preview_template(admin, PO, body)
    first = time.perf_counter() - started
    POOL.close()  # and again, as the editor does: open the template, read, preview
    template_service.get_template(admin, PO)
    time.sleep(1.0)
    started = time.perf_counter()
    template_service.preview_template(admin, PO, body)
    opened = time.perf_counter() - started
    timings = []
    for _ in range(PREVIEWS):
        time.sleep(PAUSE_SECONDS)
        started = time.perf_counter()
        template_service.preview_template(admin, PO, body, "de_DE")
        timings.append(time.perf_counter() - started)
    print(
        f"first preview: {first * 1000:.0f} ms (it starts the pool); "
        f"{opened * 1000:.0f} ms 1 s after opening the template (which starts it)"
    )
    print(
        f"preview of {PO} with its PDF ({PREVIEWS}, {PAUSE_SECONDS:g} s apart): "
        f"p50 {percentile(timings, 0.5) * 1000:.0f} ms, "
        f"p95 {percentile(timings, 0.95) * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms "
        "(target <= 300 ms)"
    )

    variables = sample_data.sample_variables(PO)
    variables["lines"] = _po_lines()
    variables["totals"] = totals(variables["lines"])
    before = {pid: _worker_usage(pid)[0] for pid in POOL.pids()}
    time.sleep(PAUSE_SECONDS)
    started = time.perf_counter()
    filled = fill_in(PO, body, variables, locale="de_DE", pdf_title="Bestellung Q-000042")
    elapsed = time.perf_counter() - started
    used = {pid: _worker_usage(pid) for pid in POOL.pids() if pid in before}
    cpu = max(cpu - before[pid] for pid, (cpu, _) in used.items())
    peak = max(peak for _, peak in used.values())
    print(
        f"{LINES}-line PO in de_DE, HTML and PDF: {elapsed * 1000:.0f} ms "
        f"({len(filled.text) // 1000} kB of HTML, {len(filled.pdf) // 1000} kB of PDF); "
        f"worker CPU {cpu:.2f} s of 5 s, peak address space {peak / 2**20:.0f} MB of 256 MB"
    )
    database.dispose()


if __name__ == "__main__":
    main()
