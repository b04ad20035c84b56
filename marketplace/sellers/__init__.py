"""Seller entities, onboarding, verification, the seller console."""
