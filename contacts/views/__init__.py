"""Contacts pages: the list and the contact page (views/contacts.py), the lead review queue
(views/reviews.py), personas (views/personas.py) and the buying-group map on the account page
(views/panels.py)."""
