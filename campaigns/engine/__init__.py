"""Pure engines of the campaigns app (DESIGN.md §3.1): plain data in, plain data out.

``suppression`` — the one check before every touch (DOMAIN.md §7.4);
``content`` — sandboxed Jinja2 templates, DISC variants and A/B arms;
``postal`` — whether an account's postal address can carry a letter (direct mail).

Standard library and Jinja2 only: no Django, no other app.
"""
