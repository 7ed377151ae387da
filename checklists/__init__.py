"""Shipped checklist definitions (package data)."""
