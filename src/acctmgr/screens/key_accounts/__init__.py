"""The key account screens: the order situation, the offer wizard, finalising."""
