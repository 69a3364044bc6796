"""Models of the accounts app (see DESIGN.md §3)."""
