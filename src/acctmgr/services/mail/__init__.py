"""The e-mail outbox and its delivery through SMTP."""
