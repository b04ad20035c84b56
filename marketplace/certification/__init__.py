"""Evaluation records, THE listing rule, badges, the catalogue import, expiry."""
