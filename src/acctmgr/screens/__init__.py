"""The screens of acctmgr: the only modules (with widgets/) that import Textual."""
