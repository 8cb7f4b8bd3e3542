"""Each user's home: what is theirs to do today, read with plain SQL."""
