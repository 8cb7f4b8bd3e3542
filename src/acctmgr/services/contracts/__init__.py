"""Contract terms and notice, contracts taking effect, the contract document."""
