"""Operational tools run from a checkout (chaos run)."""
