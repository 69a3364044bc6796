"""Campaign pages (campaigns/urls.py): campaigns and their pilot report (views/campaigns.py), the
play editor (views/plays.py), content templates with the per-person preview (views/templates.py),
the rep's task list (views/tasks.py), owner consents and webhooks (views/settings.py), the account
and contact page panels (campaigns/panels.py). Public endpoints reached from e-mails live in
views/tracking.py and views/public.py."""
