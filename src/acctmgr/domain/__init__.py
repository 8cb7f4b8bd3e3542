"""The business's vocabulary: the names of roles, states and kinds, in plain Python.

Every layer reads these: the models store them, the services decide by them, the screens show
them. Nothing here imports SQLAlchemy, pydantic or Textual, so a screen never needs the models
to name a quote's status, and launch reads who is at the keyboard before the ORM has loaded.
"""
