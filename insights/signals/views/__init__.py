"""Pages of the signals layer (included by insights/signals/urls.py) and the public tracking
endpoint (insights/signals/tracking_urls.py)."""
