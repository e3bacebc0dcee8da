"""The web's pages, one blueprint per area."""
