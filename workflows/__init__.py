"""Temporal workflows: the processes that orchestrate the services."""
