"""Models of the contacts app (see DESIGN.md §3)."""
