"""The rate-reduction case: from the Account Executive's request to the closed contract."""
