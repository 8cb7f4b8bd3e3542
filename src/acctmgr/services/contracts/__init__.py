"""Contracts: taking effect on their date, the contract document, renewals coming up."""
