"""An account and its tabs, the accounts list with its search, an activity."""
