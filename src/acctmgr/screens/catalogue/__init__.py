"""The catalogue of SKUs and packages, and their forms."""
