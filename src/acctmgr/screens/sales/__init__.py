"""The quote screen, the quote builder and the SKU picker."""
