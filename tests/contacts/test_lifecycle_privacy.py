"""Lifecycle rules, consent and erasure."""
import pytest
from django.core.exceptions import ValidationError

from contacts.models import Contact, LifecycleTransition
from contacts.services.lifecycle import contact_lifecycle_move, contact_sales_accept, contact_sales_reject
from contacts.services.privacy import contact_consent_set, contact_erase
from tests.factories import ContactFactory


@pytest.mark.django_db
def test_every_move_is_recorded_with_who_and_why(workspace, members):
    contact = ContactFactory(workspace=workspace)
    contact = contact_lifecycle_move(contact=contact, to_stage="mql", reason="Score 72 ≥ 60")
    contact = contact_sales_accept(contact=contact, by=members["sales"])
    moves = list(LifecycleTransition.objects.for_workspace(workspace).order_by("id")
                 .values_list("from_stage", "to_stage", "changed_by__email", "reason"))
    assert moves == [("lead", "mql", None, "Score 72 ≥ 60"), ("mql", "sal", "sales@northwind.test", "Accepted by sales")]
    assert contact.lifecycle_stage == "sal"


@pytest.mark.django_db
def test_sales_rejects_an_mql_only_with_a_reason(workspace, members):
    contact = contact_lifecycle_move(contact=ContactFactory(workspace=workspace), to_stage="mql")
    with pytest.raises(ValidationError):
        contact_sales_reject(contact=contact, by=members["sales"], reason=" ")
    contact = contact_sales_reject(contact=contact, by=members["sales"], reason="Student, not a buyer")
    assert contact.lifecycle_stage == "lead"
    assert LifecycleTransition.objects.for_workspace(workspace).latest("id").reason == "Rejected: Student, not a buyer"


@pytest.mark.django_db
def test_a_customer_cannot_fall_back_and_unknown_stages_are_refused(workspace):
    contact = contact_lifecycle_move(contact=ContactFactory(workspace=workspace), to_stage="customer")
    with pytest.raises(ValidationError):
        contact_lifecycle_move(contact=contact, to_stage="sql", reason="oops")
    with pytest.raises(ValidationError):
        contact_lifecycle_move(contact=contact, to_stage="evangelist")
    assert Contact.objects.for_workspace(workspace).get(pk=contact.pk).lifecycle_stage == "customer"


@pytest.mark.django_db
def test_consent_changes_keep_when_and_how(workspace, admin):
    contact = contact_consent_set(contact=ContactFactory(workspace=workspace), channel="email", status="opted_out",
                                  how="unsubscribe link", by=admin)
    assert contact.consent_email == "opted_out"
    assert contact.consent_log[0]["how"] == "unsubscribe link" and contact.consent_log[0]["at"]
    with pytest.raises(ValidationError):
        contact_consent_set(contact=contact, channel="pigeon", status="opted_in", how="x")


@pytest.mark.django_db
def test_erasure_removes_personal_data_everywhere_and_keeps_the_aggregate(workspace, admin):
    from tests.factories import AccountFactory

    account = AccountFactory(workspace=workspace)
    contact = ContactFactory(workspace=workspace, first_name="Erika", last_name="Mustermann",
                             email="erika@example.de", phone="+49 30 1234", account=account, seniority="director",
                             roles=["champion"])
    contact.job_title = "Leiterin Logistik"
    contact.save()
    erased = contact_erase(contact=contact, by=admin)
    assert (erased.first_name, erased.last_name, erased.email, erased.phone, erased.job_title) == \
        ("erased", "", "", "", "")
    assert erased.account_id == account.pk and erased.roles == ["champion"] and erased.seniority == "director"
    assert {erased.consent(c) for c in ("email", "phone", "ads", "direct_mail")} == {"opted_out"}
    history = list(erased.history.all())
    assert len(history) == 1 and history[0].history_user == admin
    assert "Erasure request" in history[0].history_change_reason
    assert not any("Mustermann" in str(h.last_name) or "erika@" in str(h.email) for h in erased.history.all())
