"""acctmgr: a keyboard-first terminal workbench for the staff who keep B2B customers."""

import gc

__version__ = "0.1.0"

# Loading acctmgr and its libraries makes ~150,000 objects that live as long as the program;
# the cyclic garbage collector walking them over and over while they were being made cost
# ~65 ms of every launch (benchmarks/launch.py). So collection is paused at the first import of
# acctmgr and resumed by ``resume_collection`` once start-up is over: by the app when it mounts,
# by the CLI before it runs a sub-command, by the tests before they start.
gc.disable()


def resume_collection() -> None:
    """Freeze what start-up made (it is never garbage) and turn the collector back on.

    Frozen objects are left out of every later collection, so the ones that follow stay short:
    a full collection walking them paused the UI for 100-150 ms at random keystrokes.
    """
    gc.freeze()
    gc.enable()
