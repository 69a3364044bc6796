"""Services of the signals layer: the only code that writes signal tables.

- ingest.py      `signals_ingest` — check, resolve and store a batch of intent, engagement or
                 trigger rows (idempotent; counts created / duplicates / unresolved / rejected)
- unresolved.py  `unresolved_signals_retry` — resolve kept rows again after accounts appear
- settings.py    per-workspace refresh cadence and engagement rules
- reweigh.py     re-derive stored engagement minutes after a rule or seniority change (SQL)
- refresh.py     the periodic refresh job and the beat task's choice of due workspaces
- providers.py   configured providers; pulling file drops
- imports.py     signal files uploaded in the UI, as a background job
- tracking.py    the website tracking snippet: contact tokens and page views
- topics.py      the intent topic taxonomy
- notify.py      the layers above, by task name: scoring recompute, campaign triggers
- resolve.py     people and companies of a batch → contacts and accounts (a few queries)
- bulk.py        insert skipping rows already stored (COPY + ON CONFLICT on PostgreSQL)
"""
