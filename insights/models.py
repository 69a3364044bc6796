"""Models of the insights app: signal models live in insights/signals/models.py."""
