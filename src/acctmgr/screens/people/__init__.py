"""Screens of people and the company: the users admins manage, and who we are."""
