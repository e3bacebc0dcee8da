"""Progress reports rendered for people: Excel tables and charts (reports layer)."""
