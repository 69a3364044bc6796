"""Reports: dashboards, account-level measurement and the account plan page. Nothing imports this."""
