"""Models of the scoring app (see DESIGN.md §3)."""
