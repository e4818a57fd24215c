"""Advisors' work lists: the partner queue and their own cases."""
