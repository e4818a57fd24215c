"""The case page and search."""
