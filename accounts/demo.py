"""Demo data for the accounts layer: a few thousand companies across industries and countries,
subsidiaries, tiers, groups, custom attributes, holds, plans, and 18 months of opportunities with
stage histories (won and lost), so reports and predictive scoring have something real to learn.

Deterministic (fixed random seed) and safe to re-run: accounts go through the upsert service
(re-running changes nothing) and the synthetic history is only written once.
"""
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from abm_platform.models import Membership, User, Workspace
from abm_platform.tenancy.roles import Role
from accounts.models import (
    Account, AccountGroup, AttributeDefinition, NominationFeedback, Opportunity, OpportunityStage,
    OpportunityStageChange, StageKind, TargetList, Tier,
)
from accounts.services.holds import hold_place
from accounts.services.opportunities import accounts_refresh_open_opportunity_flag
from accounts.services.plans import account_plan_mark_reviewed, account_plan_save, plan_step_add
from accounts.services.target_lists import (
    nomination_approve, nomination_give_feedback, nomination_reject, nomination_set_pilot, target_list_create,
    target_list_nominate, target_list_submit,
)
from accounts.services.upsert import accounts_upsert

ACCOUNT_COUNT = 2500
SEED = 20261123

COUNTRIES = {
    "DE": (["GmbH", "AG", "SE", "GmbH & Co. KG"], "de", ["Berlin", "Hamburg", "München", "Köln", "Stuttgart"]),
    "GB": (["Ltd", "plc", "Group Ltd"], "co.uk", ["London", "Manchester", "Birmingham", "Leeds", "Bristol"]),
    "FR": (["SA", "SAS", "SARL"], "fr", ["Paris", "Lyon", "Lille", "Toulouse", "Marseille"]),
    "NL": (["B.V.", "N.V."], "nl", ["Amsterdam", "Rotterdam", "Utrecht", "Eindhoven"]),
    "US": (["Inc", "LLC", "Corp"], "com", ["Chicago", "Atlanta", "Dallas", "Seattle", "Columbus", "Memphis"]),
    "ES": (["S.A.", "S.L."], "es", ["Madrid", "Barcelona", "Valencia", "Zaragoza"]),
    "IT": (["S.p.A.", "S.r.l."], "it", ["Milano", "Torino", "Bologna", "Verona"]),
    "SE": (["AB"], "se", ["Stockholm", "Göteborg", "Malmö"]),
    "PL": (["Sp. z o.o.", "S.A."], "pl", ["Warszawa", "Poznań", "Wrocław", "Łódź"]),
    "JP": (["K.K.", "Co., Ltd."], "co.jp", ["Tokyo", "Osaka", "Nagoya"]),
    "CN": (["Co., Ltd."], "com.cn", ["Shanghai", "Shenzhen", "Ningbo", "Suzhou"]),
}
COUNTRY_WEIGHTS = {"DE": 18, "GB": 14, "FR": 10, "NL": 7, "US": 22, "ES": 6, "IT": 6, "SE": 4, "PL": 5, "JP": 4, "CN": 4}
INDUSTRIES = ["Logistics", "E-commerce", "Retail", "Manufacturing", "Automotive", "Pharma", "Food & Beverage",
              "Consumer Electronics", "Fashion", "Wholesale"]
PREFIXES = ["Nord", "Süd", "Alpen", "Rhein", "Atlas", "Blue", "Swift", "Prime", "Vertex", "Orbit", "Polar", "Nova",
            "Silver", "Green", "Iron", "Cedar", "Harbor", "Summit", "Pioneer", "Apex", "Meridian", "Coastal", "Delta",
            "Falcon", "Granite", "Horizon", "Keystone", "Lumen", "Maple", "Oak", "Pacific", "Quantum", "Redwood"]
CORES = ["freight", "logistik", "cargo", "trade", "supply", "retail", "mart", "parts", "motion", "pack", "ship",
         "store", "goods", "foods", "pharma", "tech", "works", "line", "port", "hub", "direct", "market", "wear"]
QUALIFIERS = ["Group", "Systems", "Trading", "International", "Solutions", "Handel", "Distribution", "Express",
              "Industries", "Brands", "Europe", "Holding", "Partners", "Services", "Direct", "Networks"]
TECHNOLOGIES = ["SAP S/4HANA", "SAP ECC", "Oracle NetSuite", "Microsoft Dynamics 365", "Salesforce", "HubSpot",
                "Shopify Plus", "Magento", "Manhattan WMS", "Blue Yonder", "Körber WMS", "AWS", "Azure",
                "Google Cloud", "Snowflake", "Zendesk", "Marketo"]
GROUPS = [("SMB", "Under 200 employees"), ("Mid-market", "200 to 2,000 employees"),
          ("Enterprise", "Over 2,000 employees")]
LOSS_REASONS = ["Chose a competitor", "No budget this year", "Project postponed", "Went with in-house build",
                "Price", "No decision"]
EXTRA_REPS = [("lena.krause@demo.abm.local", "Lena Krause"), ("tom.baker@demo.abm.local", "Tom Baker"),
              ("ines.moreau@demo.abm.local", "Inès Moreau")]


def accounts_demo_seed(*, workspace: Workspace, stdout=None) -> None:
    rng = random.Random(SEED)
    reps = _reps(workspace)
    _configuration(workspace)
    records = _account_records(rng, reps)
    admin = Membership.objects.for_workspace(workspace).filter(role=Role.ADMIN).select_related("user").first()
    by = admin.user if admin else None
    if not Account.objects.for_workspace(workspace).exists():   # once: a re-run would undo later tier changes
        for start in range(0, len(records), 1000):
            accounts_upsert(workspace=workspace, records=records[start:start + 1000], by=by, reason="Demo data")
    if not Opportunity.objects.for_workspace(workspace).exists():
        _opportunities(workspace, rng, reps)
        _holds_and_plans(workspace, rng, reps)
    if not TargetList.objects.for_workspace(workspace).exists():
        _target_lists(workspace, rng)
    if stdout:
        stdout.write(f"    {Account.objects.for_workspace(workspace).count()} accounts, "
                     f"{Opportunity.objects.for_workspace(workspace).count()} opportunities")


def _reps(workspace: Workspace) -> list[User]:
    """The demo's sales reps: the sales user plus a few more AEs (sales role)."""
    for email, name in EXTRA_REPS:
        user, created = User.objects.get_or_create(email=email, defaults={"full_name": name})
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        Membership.objects.for_workspace(workspace).get_or_create(user=user, defaults={"role": Role.SALES})
    return list(User.objects.filter(memberships__workspace=workspace, memberships__role=Role.SALES).order_by("email"))


def _configuration(workspace: Workspace) -> None:
    for name, description in GROUPS:
        AccountGroup.objects.for_workspace(workspace).get_or_create(name=name, defaults={"description": description})
    attributes = [
        ("shipments_per_month", "Shipments per month", "number", [], "Outbound parcels and pallets per month."),
        ("fulfilment_model", "Fulfilment model", "choice", ["In-house", "3PL", "Hybrid"], ""),
        ("ships_internationally", "Ships internationally", "boolean", [], ""),
    ]
    for key, label, kind, choices, description in attributes:
        AttributeDefinition.objects.for_workspace(workspace).get_or_create(
            key=key, defaults={"label": label, "type": kind, "choices": choices, "description": description})


def _account_records(rng: random.Random, reps: list[User]) -> list[dict]:
    records, used = [], set()
    countries = list(COUNTRY_WEIGHTS)
    weights = list(COUNTRY_WEIGHTS.values())
    for i in range(ACCOUNT_COUNT):
        country = rng.choices(countries, weights)[0]
        suffixes, tld, cities = COUNTRIES[country]
        while True:
            words = [rng.choice(PREFIXES) + rng.choice(CORES)]
            if rng.random() < 0.6:
                words.append(rng.choice(QUALIFIERS))
            key = "".join(words).lower()
            if key not in used:
                used.add(key)
                break
        stem = key
        name = f"{' '.join(w.capitalize() if w.islower() else w for w in words)} {rng.choice(suffixes)}"
        employees = int(min(250_000, max(8, rng.lognormvariate(5.3, 1.5))))
        revenue = Decimal(int(employees * rng.uniform(90_000, 260_000))).quantize(Decimal("1"))
        group = "SMB" if employees < 200 else "Mid-market" if employees <= 2000 else "Enterprise"
        record = {
            "external_id": f"SF-{100000 + i}", "name": name, "domain": f"{stem.lower()}.{tld}",
            "website": f"https://www.{stem.lower()}.{tld}", "industry": rng.choice(INDUSTRIES),
            "employees": employees, "annual_revenue": revenue, "currency": "USD" if country == "US" else "EUR",
            "country": country, "city": rng.choice(cities),
            "technologies": rng.sample(TECHNOLOGIES, rng.randint(1, 5)),
            "owner_email": rng.choice(reps).email, "group": group,
            "attr_shipments_per_month": int(employees * rng.uniform(5, 60)),
            "attr_fulfilment_model": rng.choice(["In-house", "3PL", "Hybrid"]),
            "attr_ships_internationally": rng.random() < 0.6,
        }
        if rng.random() < 0.25:
            record["other_domains"] = [f"{stem.lower()}.com" if tld != "com" else f"{stem.lower()}.io"]
        records.append(record)
    # Subsidiaries: some companies belong to a bigger one of the same industry.
    enterprises = [r for r in records if r["employees"] > 5000]
    for record in rng.sample(records, 160):
        parent = rng.choice(enterprises)
        if parent is not record:
            record["parent_external_id"] = parent["external_id"]
    # Tiers by size and fit, as a team would have set them.
    ranked = sorted(records, key=lambda r: r["employees"] * (1.5 if r["industry"] in ("Logistics", "E-commerce") else 1),
                    reverse=True)
    for position, record in enumerate(ranked):
        record["tier"] = "1" if position < 25 else "2" if position < 300 else "3" if position < 1500 else ""
    # Parents before subsidiaries: records are upserted in batches.
    return sorted(records, key=lambda r: "parent_external_id" in r)


def _opportunities(workspace: Workspace, rng: random.Random, reps: list[User]) -> None:
    """18 months of deals with realistic stage paths. Bigger, better-fitting accounts win more
    often, so the predictive model has a real signal to learn."""
    stages = list(OpportunityStage.objects.for_workspace(workspace).order_by("order"))
    open_stages = [s for s in stages if s.kind == StageKind.OPEN]
    won = next(s for s in stages if s.kind == StageKind.WON)
    lost = next(s for s in stages if s.kind == StageKind.LOST)
    accounts = list(Account.objects.for_workspace(workspace).select_related("tier")
                    .values("pk", "employees", "industry", "tier__order", "owner_id"))
    today = timezone.localdate()
    start = today - timedelta(days=548)
    opportunities, paths = [], []
    for n, account in enumerate(rng.sample(accounts, 700)):
        created = start + timedelta(days=rng.randint(0, 540))
        fit = (0.35 if account["industry"] in ("Logistics", "E-commerce") else 0.0) + \
              {1: 0.3, 2: 0.15, 3: 0.05}.get(account["tier__order"], 0.0)
        depth = rng.randint(1, len(open_stages))
        path = open_stages[:depth]
        day = created
        dates = [created]
        for _ in path[1:]:
            day += timedelta(days=rng.randint(7, 35))
            dates.append(day)
        close_day = day + timedelta(days=rng.randint(10, 60))
        if close_day <= today and rng.random() < 0.85:
            outcome = won if rng.random() < 0.15 + fit + 0.08 * depth else lost
            path = path + [outcome]
            dates.append(close_day)
        dates = [min(d, today) for d in dates]
        amount = Decimal(int(max(8000, account["employees"] * rng.uniform(20, 120)))).quantize(Decimal("1"))
        final = path[-1]
        recurring = rng.random() < 0.7
        opportunities.append(Opportunity(
            account_id=account["pk"], external_id=f"OPP-{5000 + n}",
            name=f"{rng.choice(['Warehouse automation', 'Parcel platform', 'Returns hub', 'Carrier integration', 'Fulfilment rollout'])} {created:%Y}",
            stage=final, amount=amount, currency="EUR", is_recurring=recurring,
            mrr=(amount / 12).quantize(Decimal("0.01")) if recurring else None,
            arr=amount if recurring else None, created_date=created,
            expected_close_date=None if final.kind != StageKind.OPEN else today + timedelta(days=rng.randint(14, 120)),
            closed_date=dates[-1] if final.kind != StageKind.OPEN else None,
            owner_id=account["owner_id"] or rng.choice(reps).pk,
            loss_reason=rng.choice(LOSS_REASONS) if final.kind == StageKind.LOST else "",
            is_open=final.kind == StageKind.OPEN))
        paths.append(list(zip(path, dates)))
    with transaction.atomic():
        Opportunity.objects.for_workspace(workspace).bulk_create(opportunities, batch_size=1000)
        changes = []
        for opportunity, path in zip(opportunities, paths):
            previous = None
            for stage, day in path:
                changes.append(OpportunityStageChange(
                    opportunity=opportunity, from_stage=previous, to_stage=stage,
                    changed_at=timezone.make_aware(datetime.combine(day, time(10, 0)))))
                previous = stage
        OpportunityStageChange.objects.for_workspace(workspace).bulk_create(changes, batch_size=2000)
        accounts_refresh_open_opportunity_flag(workspace_id=workspace.pk, account_ids=[o.account_id for o in opportunities])


def _holds_and_plans(workspace: Workspace, rng: random.Random, reps: list[User]) -> None:
    closing = list(Account.objects.for_workspace(workspace).filter(has_open_opportunity=True).select_related("owner"))
    for account in rng.sample(closing, min(8, len(closing))):
        hold_place(workspace=workspace, account=account, by=account.owner or reps[0],
                   reason=rng.choice(["In final negotiation", "Procurement review", "Contract with legal"]),
                   expires_at=timezone.now() + timedelta(days=rng.randint(5, 40)))
    strategic = list(Account.objects.for_workspace(workspace).filter(tier__order=1).select_related("owner")[:10])
    for account in strategic:
        rep = account.owner or reps[0]
        plan = account_plan_save(
            workspace=workspace, account=account, by=rep, status="active",
            objectives=f"Become {account.name}'s fulfilment platform for {account.country} and one more region by Q4.",
            pains="Peak-season backlog in the warehouse\nManual carrier selection\nReturns take 9 days to restock",
            value_hypothesis="Cut cost per parcel by 12 % and returns processing time by half.",
            initiatives="WMS replacement programme\nNew DC opening next year")
        account_plan_mark_reviewed(plan=plan, by=rep)
        plan_step_add(plan=plan, text="Executive briefing with the COO", due_date=date.today() + timedelta(days=10),
                      owner=rep)
        plan_step_add(plan=plan, text="Site visit at the main DC", due_date=date.today() + timedelta(days=24), owner=rep)


RATIONALES = [
    "Opening a new DC next year; our champion is their VP Operations.",
    "Intent surge on warehouse automation for three weeks running.",
    "Lost to a competitor 14 months ago; their contract renews in Q3.",
    "Peak-season backlog made the trade press; the COO is looking for options.",
    "Fast-growing e-commerce brand shipping to 14 countries from one warehouse.",
    "Existing customer's sister company: warm introduction offered.",
    "Hiring 30 logistics engineers: a sign of a platform change.",
]


def _target_lists(workspace: Workspace, rng: random.Random) -> None:
    """The FY27 H1 program mid-approval (nominated, endorsed, one objection, a pilot of three,
    submitted, partly decided), and last year's list, fully decided."""
    role_user = {m.role: m.user for m in Membership.objects.for_workspace(workspace).select_related("user")}
    marketer, seller = role_user[Role.MARKETING], role_user[Role.SALES]
    executive = role_user[Role.EXECUTIVE]
    tier1 = Tier.objects.for_workspace(workspace).get(order=1)
    tier2 = Tier.objects.for_workspace(workspace).get(order=2)
    candidates = list(Account.objects.for_workspace(workspace).filter(tier__order__in=[2, 3], is_target=False)
                      .order_by("-employees")[:60])
    last_year = target_list_create(workspace=workspace, by=marketer, name="FY26 H2 program",
                                   criteria="Mid-market logistics in DACH and Benelux.")
    for account in candidates[40:46]:
        target_list_nominate(target_list=last_year, by=seller, account=account, rationale=rng.choice(RATIONALES),
                             proposed_tier=tier2)
    target_list_submit(target_list=last_year, by=marketer)
    for number, nomination in enumerate(last_year.nominations.all()):
        if number % 3 == 2:
            nomination_reject(nomination=nomination, by=executive, comment="Too small for a 1:few cluster.")
        else:
            nomination_approve(nomination=nomination, by=executive, comment="Agreed.")

    program = target_list_create(
        workspace=workspace, by=marketer, name="FY27 H1 program",
        criteria="EU logistics and e-commerce companies, 500+ employees, shipping to the US; "
                 "revenue potential over €250k ARR; a known champion or active intent.")
    nominations = []
    for number, account in enumerate(candidates[:14]):
        by = marketer if number % 2 else seller
        nominations.append(target_list_nominate(target_list=program, by=by, account=account,
                                                rationale=rng.choice(RATIONALES),
                                                proposed_tier=tier1 if number < 5 else tier2))
    for nomination in nominations[:8]:
        reviewer = seller if nomination.nominated_by == marketer else marketer
        nomination_give_feedback(nomination=nomination, by=reviewer, kind=NominationFeedback.Kind.ENDORSE,
                                 comment="Agree — we met them at the logistics summit.")
    nomination_give_feedback(nomination=nominations[9], by=executive, kind=NominationFeedback.Kind.OBJECT,
                             comment="They just signed a 3-year deal with a competitor.")
    for nomination in nominations[:3]:
        nomination_set_pilot(nomination=nomination, by=marketer, is_pilot=True)
    target_list_submit(target_list=program, by=marketer, comment="Ready for the QBR.")
    nomination_approve(nomination=nominations[0], by=executive, comment="Strategic: go.")
    nomination_approve(nomination=nominations[1], by=executive, comment="Yes, pilot it.")
    nomination_reject(nomination=nominations[9], by=executive, comment="Competitor lock-in until 2029.")
