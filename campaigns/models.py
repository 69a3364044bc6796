"""Models of the campaigns app (see DESIGN.md §3)."""
