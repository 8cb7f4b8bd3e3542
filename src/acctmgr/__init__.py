"""acctmgr: a keyboard-first terminal workbench for the staff who keep B2B customers."""

__version__ = "0.1.0"
