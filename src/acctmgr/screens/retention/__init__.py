"""The retention wizard: opening a case, the case screen, and each step's screen."""
