"""The e-mail outbox."""
