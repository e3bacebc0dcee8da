"""The yearly round workflow per (commune, year, plan)."""
