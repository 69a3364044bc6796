"""Pure computation for contacts and buying groups: plain data in, frozen dataclasses out, no ORM.

- ``titles``   — seniority, department and buying-group role suggestions from a job title (DOMAIN.md §3.1–3.2)
- ``disc``     — the DISC circle, the 10-item observation questionnaire and per-style guidance (DOMAIN.md §4)
- ``personas`` — persona assignment rules and buying-group coverage (DOMAIN.md §3.3–3.4)
"""
