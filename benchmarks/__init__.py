"""Scripts that measure acctmgr's speed; each prints its figures (they are not tests)."""
