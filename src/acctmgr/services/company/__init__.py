"""The company acctmgr works for: its identity on every document and e-mail."""
