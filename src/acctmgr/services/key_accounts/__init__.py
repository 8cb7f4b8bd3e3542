"""Key accounts (seed 001): the order situation, upsell potential and contact cadence of a key
account, its offers from design to acceptance, and the contract Customer Services finalises."""
