"""Insights plays two parts (DESIGN.md §3.1): `signals/` feeds the scores (low in the stack),
`reports/` reads everything (the top). Keep them apart: signals never imports reports."""
