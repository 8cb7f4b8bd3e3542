"""Users, their roles and segments."""
