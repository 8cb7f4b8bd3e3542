"""What every use case stands on: the Context, the unit of work, audit, permissions, plain reads."""
