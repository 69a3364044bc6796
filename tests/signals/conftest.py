"""Fixtures of the signals tests: a workspace with two accounts and a few people."""
import pytest

from accounts.services.upsert import accounts_upsert
from contacts.services.upsert import contacts_upsert


@pytest.fixture
def hanse(workspace):
    """Hanse Cargo (hanse-cargo.de, CRM id H-1) with a C-level and a practitioner contact;
    Polar Freight (polar-freight.se) with nobody known."""
    return hanse_cast(workspace)


def hanse_cast(workspace) -> dict:
    """The `hanse` cast in any workspace; the ids of its two accounts."""
    results = accounts_upsert(workspace=workspace, records=[
        {"external_id": "H-1", "name": "Hanse Cargo GmbH", "domain": "hanse-cargo.de", "country": "DE"},
        {"external_id": "P-1", "name": "Polar Freight AB", "domain": "polar-freight.se", "country": "SE"},
    ])
    contacts_upsert(workspace=workspace, records=[
        {"email": "ceo@hanse-cargo.de", "first_name": "Hanna", "last_name": "Berg", "job_title": "CEO"},
        {"email": "picker@hanse-cargo.de", "first_name": "Paul", "last_name": "Lager",
         "job_title": "Lagerlogistiker"},
        {"email": "anna.freelance@gmail.com", "first_name": "Anna", "company_name": "Hanse Cargo"},
    ], source="import")
    return {"hanse": results[0].account_id, "polar": results[1].account_id}

