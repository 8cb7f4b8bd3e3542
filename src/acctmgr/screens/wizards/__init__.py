"""The wizard kit: a step screen, a wizard declared as data, and the one runner."""
