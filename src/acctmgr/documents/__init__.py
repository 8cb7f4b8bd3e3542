"""Document templates shipped with acctmgr (Jinja2, rendered in a sandbox by services.documents)."""
