"""Shipped Word templates and their metadata (package data)."""
