"""Seniority, department, buying-group roles and persona read from job titles — never over
what a person set by hand, always with the reason kept."""
from django.core.exceptions import ValidationError

from abm_platform.models import Workspace
from contacts.engine import personas as persona_engine
from contacts.engine import titles as title_engine
from contacts.models import Contact, Persona, TitleRule


def title_rules_for(workspace: Workspace) -> list[title_engine.TitleRule]:
    return [title_engine.TitleRule(field=r.field, value=r.value, keywords=(r.pattern,), priority=r.priority)
            for r in TitleRule.objects.for_workspace(workspace)]


def persona_rules_for(workspace: Workspace) -> list[persona_engine.PersonaRule]:
    return [persona_engine.PersonaRule(id=p.pk, name=p.name, title_keywords=tuple(p.title_keywords),
                                       departments=tuple(p.departments), seniorities=tuple(p.seniorities),
                                       priority=p.priority, title_keywords_exclude=tuple(p.title_keywords_exclude))
            for p in Persona.objects.for_workspace(workspace)]


def contacts_apply_inference(*, workspace: Workspace, contacts: list[Contact]) -> list[str]:
    """Fill the inferred fields on `contacts` in memory (the caller saves them in bulk).
    Rules and personas are loaded once per batch. Returns the field names it may have changed."""
    rules, personas = title_rules_for(workspace), persona_rules_for(workspace)
    for contact in contacts:
        inference = title_engine.infer_title(contact.job_title or "", rules)
        reasons = list(inference.reasons)
        if not contact.seniority_manual:
            contact.seniority = inference.seniority or ""
        if not contact.department and inference.department:
            contact.department = inference.department
        if not contact.roles_manual:
            contact.roles = list(inference.roles)
        if not contact.persona_manual:
            persona_id, reason = persona_engine.assign_persona(contact.job_title or "", contact.department or None,
                                                               contact.seniority or None, personas)
            contact.persona_id = persona_id
            contact.persona_reason = reason[:255]
        contact.inference_reasons = reasons
    return ["seniority", "department", "roles", "persona", "persona_reason", "inference_reasons"]


def contact_set_buying_profile(*, contact: Contact, roles: list[str] | None = None, seniority: str | None = None,
                               persona: Persona | None | object = ..., by=None) -> Contact:
    """A person overrides what was inferred; inference leaves these fields alone afterwards."""
    if roles is not None:
        unknown = sorted(set(roles) - set(title_engine.ROLES))
        if unknown:
            raise ValidationError({"roles": f"Unknown buying-group roles: {', '.join(unknown)}."})
        contact.roles, contact.roles_manual = list(dict.fromkeys(roles)), True
    if seniority is not None:
        if seniority and seniority not in title_engine.SENIORITIES:
            raise ValidationError({"seniority": f"Unknown seniority {seniority!r}."})
        contact.seniority, contact.seniority_manual = seniority, True
    if persona is not ...:
        contact.persona, contact.persona_manual = persona, True
        contact.persona_reason = f"set by {by}" if by else "set by hand"
    contact._history_user = by
    contact.save()
    return contact


REINFER_TASK = "contacts.reinfer"
REINFER_BATCH = 2000


def contacts_reinfer_start(*, workspace: Workspace, by=None, reason: str = ""):
    """Re-read every contact's title and persona in the background (after personas or title
    rules change). Values a person set stay as they are."""
    from abm_platform.jobs import job_start

    return job_start(workspace=workspace, kind="contact_reinference", task=REINFER_TASK, by=by,
                     params={"reason": reason})


def contacts_reinfer_run(*, job, progress) -> dict:
    """Batches by primary key; safe to run twice (inference is a pure function of the title)."""
    contacts = Contact.objects.for_workspace(job.workspace_id).filter(erased_at__isnull=True).order_by("pk")
    total = contacts.count()
    progress.set_total(total)
    last_pk, done = 0, 0
    while True:
        batch = list(contacts.filter(pk__gt=last_pk)[:REINFER_BATCH])
        if not batch:
            break
        fields = contacts_apply_inference(workspace=job.workspace, contacts=batch)
        Contact.objects.for_workspace(job.workspace_id).bulk_update(
            batch, [f for f in fields if f != "persona"] + ["persona"], batch_size=1000)
        last_pk, done = batch[-1].pk, done + len(batch)
        progress.update(done, message=f"{done:,} of {total:,} contacts")
    return {"contacts": done}
