"""Stored documents and the templates they are rendered from."""
