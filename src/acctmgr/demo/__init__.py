"""Demo mode's data: a deterministic, realistic company to train on and to benchmark against.

Nothing here imports Textual; the CLI (``acctmgr db seed --demo``), demo mode and the
benchmarks all load the same rows through ``acctmgr.demo.seed.seed_demo``.
"""
