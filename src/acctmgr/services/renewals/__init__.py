"""Renewals: standing orders renew themselves, fixed terms get a renewal offer, notices of
termination end a contract at its term, and a cycle with no renewal closes."""
