"""Opportunities, quotes and the quote builder, and purchase orders."""
