"""Demo contacts: a buying group for each target and tier-1/2 account (titles in several
languages, so roles and seniority are inferred), free-mail leads with the company typed with
typos and legal-suffix changes (some go to the review queue), people at subsidiaries, leads of
companies that are not accounts, personas, and DISC profiles for the strategic accounts.

Written once: a workspace that already has contacts gets none (like the signals and campaigns
steps). Re-generating them is not idempotent even with the fixed seed: the people are drawn
in the order of the tier-1/2 accounts, and the tiers move between runs (the accounts step
re-applies its tiers after the target-list approvals moved two accounts up), so a second run
drew different names for almost every account and doubled the contacts and DISC profiles."""
import random
import unicodedata

from abm_platform.models import Membership, Workspace
from abm_platform.tenancy.roles import Role
from accounts.models import Account
from contacts.models import Contact, Persona
from contacts.services.disc import disc_record
from contacts.services.upsert import contacts_upsert

SEED = 4242
FIRST = ["Anna", "Lukas", "Sofia", "Jonas", "Marie", "Paul", "Emma", "Felix", "Léa", "Hugo", "Chloé", "Lucas",
         "Olivia", "James", "Amelia", "Oliver", "Isabella", "Mateo", "Lucía", "Martina", "Wei", "Yuki", "Hana",
         "Lars", "Ingrid", "Piotr", "Zofia", "Giulia", "Marco", "Sanne"]
LAST = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Martin", "Bernard", "Dubois", "Smith", "Jones",
        "Taylor", "Brown", "García", "Fernández", "López", "Rossi", "Bianchi", "de Vries", "Jansen", "Nowak",
        "Kowalski", "Andersson", "Johansson", "Wang", "Li", "Tanaka", "Suzuki", "Novák", "Moreau", "Keller"]
TITLES = {
    "DE": ["Geschäftsführer", "Leiter Logistik", "Head of Supply Chain", "Einkaufsleiter", "IT-Leiter",
           "Teamleiter Versand", "Finanzvorstand", "Lagerlogistiker"],
    "FR": ["Directeur Général", "Responsable Logistique", "Directeur des Achats", "DSI", "Chef de projet supply chain",
           "Directeur Administratif et Financier", "Acheteur"],
    "ES": ["Director General", "Jefe de Logística", "Gerente de Compras", "Director de TI", "Responsable de Almacén"],
    "CN": ["总经理", "物流总监", "采购经理", "IT经理", "财务总监"],
    "JP": ["CEO", "Logistics Manager", "Head of IT", "Procurement Manager"],
}
EN_TITLES = ["CEO", "COO", "CFO", "CIO", "VP Operations", "Director of Logistics", "Head of E-commerce",
             "Warehouse Manager", "Supply Chain Analyst", "Procurement Manager", "IT Architect",
             "Executive Assistant to the COO", "Fulfilment Coordinator"]
PERSONAS = [
    dict(name="Operations leader", title_keywords=["operations", "logistik", "logistics", "logistique", "supply chain",
                                                   "物流"], seniorities=["c_level", "vp", "director"], priority=10,
         goals="On-time delivery at lower cost per parcel; peak season without overtime.",
         pains="Manual carrier selection; backlog in peak; returns slow to restock.",
         objections="Integration risk during peak; change management on the floor.",
         preferred_formats=["case study", "ROI calculator", "site visit"], preferred_channels=["event", "email"],
         key_messages="Cut cost per parcel by 12 % without touching your WMS."),
    dict(name="Finance approver", title_keywords=["cfo", "finance", "finanz", "financier", "财务"], priority=20,
         seniorities=["c_level", "vp", "director"], goals="Predictable cost, payback inside 12 months.",
         pains="Capex approvals; unclear savings.", objections="Total cost of ownership; lock-in.",
         preferred_formats=["business case", "benchmark report"], preferred_channels=["email", "meeting"],
         key_messages="Payback in 9 months, audited by two customers."),
    dict(name="IT gatekeeper", title_keywords=["cio", "it", "dsi", "architect", "ti"], priority=30,
         goals="Secure integrations, few systems to run.", pains="Point-to-point integrations; vendor sprawl.",
         objections="Security review; data residency.", preferred_formats=["architecture whitepaper", "API docs"],
         preferred_channels=["email", "webinar"], key_messages="Certified SAP and Salesforce connectors, EU hosting."),
]


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace(" ", "")


def contacts_demo_seed(*, workspace: Workspace, stdout=None) -> None:
    rng = random.Random(SEED)
    for spec in PERSONAS:
        Persona.objects.for_workspace(workspace).get_or_create(name=spec["name"], defaults=spec)
    if Contact.objects.for_workspace(workspace).exists():
        if stdout:
            stdout.write("    contacts already seeded")
        return
    accounts = list(Account.objects.for_workspace(workspace).filter(tier__order__in=[1, 2])
                    .order_by("tier__order", "name").values("pk", "name", "domain", "country")[:260])
    records = []
    for account in accounts:
        titles = TITLES.get(account["country"], []) + EN_TITLES
        for title in rng.sample(titles, rng.randint(3, 6)):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            records.append({"email": f"{_ascii(first)}.{_ascii(last)}@{account['domain']}", "first_name": first,
                            "last_name": last, "job_title": title, "country": account["country"], "source": "import"})
    # Free-mail leads: the company typed by hand, with typos and legal-suffix changes.
    for account in rng.sample(accounts, 40):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        company = account["name"].rsplit(" ", 1)[0] if rng.random() < 0.6 else account["name"].upper()
        if rng.random() < 0.3 and len(company) > 6:
            i = rng.randint(1, len(company) - 2)
            company = company[:i] + company[i + 1:]  # a dropped letter
        records.append({"email": f"{_ascii(first)}{rng.randint(1, 99)}@{rng.choice(['gmail.com', 'outlook.com', 'web.de', 'yahoo.fr'])}",
                        "first_name": first, "last_name": last, "company_name": company, "country": account["country"],
                        "job_title": rng.choice(EN_TITLES), "source": "form"})
    # Leads of companies that are not accounts.
    for n in range(15):
        records.append({"email": f"lead{n}@{rng.choice(['gmail.com', 'hotmail.com'])}", "first_name": rng.choice(FIRST),
                        "last_name": rng.choice(LAST), "company_name": f"Tiny Shop {n} Ltd", "source": "form"})
    admin = Membership.objects.for_workspace(workspace).filter(role=Role.ADMIN).select_related("user").first()
    for start in range(0, len(records), 500):
        contacts_upsert(workspace=workspace, records=records[start:start + 500], by=admin.user if admin else None,
                        source="import")
    _disc_profiles(workspace, rng)
    if stdout:
        stdout.write(f"    {Contact.objects.for_workspace(workspace).count()} contacts, "
                     f"{Contact.objects.for_workspace(workspace).filter(match_status='review').count()} in review")


def _disc_profiles(workspace: Workspace, rng: random.Random) -> None:
    people = Contact.objects.for_workspace(workspace).filter(account__tier__order=1, disc_style="").order_by("pk")[:60]
    rep = Membership.objects.for_workspace(workspace).filter(role=Role.SALES).select_related("user").first()
    for contact in people:
        disc_record(contact=contact, style=rng.choice(["D", "Di", "iD", "i", "iS", "S", "SC", "C", "CD", "DC"]),
                    source="observed", confidence=round(rng.uniform(0.5, 0.9), 2), by=rep.user if rep else None,
                    note="Observed on the discovery call.")
