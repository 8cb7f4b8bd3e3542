"""SKUs with their versions, prices and tiers, packages, and the catalogue customers read."""
