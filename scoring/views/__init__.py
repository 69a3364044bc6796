"""Scoring pages: the ranked accounts (ranked.py), the ICP and the weights with their what-if
preview (config.py), the predictive model (model.py) and the recompute runs (runs.py). The score
panels drawn on account and contact pages are in scoring/panels.py."""
