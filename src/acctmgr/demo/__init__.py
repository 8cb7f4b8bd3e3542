"""Demo mode's data: a deterministic, realistic company to train on and to benchmark against.

Nothing here imports Textual; the CLI (``acctmgr db seed --demo``), demo mode and the
benchmarks all load the same rows through ``acctmgr.demo.seed.seed_demo``.
"""

from acctmgr.errors import InvalidInput

# Fewer accounts than this cannot hold every featured story (cases, approvals, onboarding).
MIN_ACCOUNTS = 30
# Twice the scale acctmgr is designed for (100,000 accounts, DESIGN.md): 200,000 loaded in 170 s
# with 0.5 GB at most on SQLite here. (The iSeries numbers drawn run out below ten million.)
MAX_ACCOUNTS = 200_000


def check_accounts(accounts: int) -> None:
    """Raise InvalidInput unless ``accounts`` is a size of demo load there is (the CLI checks
    before it opens the database, ``seed_demo`` again)."""
    if not MIN_ACCOUNTS <= accounts <= MAX_ACCOUNTS:
        raise InvalidInput(
            f"Demo data takes from {MIN_ACCOUNTS} to {MAX_ACCOUNTS:,} accounts, not {accounts:,}.",
            field="accounts",
        )
