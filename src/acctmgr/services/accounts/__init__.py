"""Accounts and their contacts, billing details, activities, the account file and search."""
