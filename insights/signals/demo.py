"""Demo signals (runs after the accounts and contacts demo steps): twelve intent topics (eight
selected), 18 months of weekly intent for a few hundred accounts, first-party engagement of
known people and anonymous visitors, trigger events, three providers and a few unresolved rows.

A pattern is planted for scoring to find: accounts that later opened an opportunity show rising
intent on selected topics in the ~10 weeks before its created date, and broader engagement in
the ~8 weeks before it — several distinct people, pricing and demo pages, webinar attendance, a
meeting. Every other week and account is noise. Everything goes through the real ingest path
(`signals_ingest`). Deterministic (fixed seed, dates relative to today); runs once per workspace.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone as dt_timezone

from django.utils import timezone

from abm_platform.models import Workspace
from accounts.models import Account, Opportunity
from contacts.models import Contact
from insights.signals.models import EngagementEvent, IntentSignal, IntentTopic, ProviderKind, SignalKind
from insights.signals.services.ingest import IngestContext, signals_ingest
from insights.signals.services.providers import signal_provider_save
from insights.signals.services.settings import signal_settings_get

SEED = 5151
WEEKS = 78  # 18 months
SELECTED_TOPICS = [
    ("Warehouse Automation", "Logistics technology"), ("Parcel Tracking", "Logistics technology"),
    ("Returns Management", "E-commerce operations"), ("Last-Mile Delivery", "Logistics operations"),
    ("Carrier Management", "Logistics operations"), ("Fulfilment Software", "E-commerce operations"),
    ("Inventory Optimisation", "Supply chain"), ("Supply Chain Visibility", "Supply chain"),
]
OTHER_TOPICS = [("Fleet Telematics", "Transport"), ("Customs Compliance", "Trade"),
                ("Cold Chain Logistics", "Logistics operations"), ("Employer Branding", "HR")]
SITE = "https://www.northwind-robotics.example"
PAGES = ["/", "/blog/peak-season-checklist", "/product/picking-robots", "/product/sorting", "/customers",
         "/blog/returns-benchmark", "/resources/whitepaper-automation"]
HIGH_VALUE_PAGES = ["/pricing", "/demo", "/contact"]
TRIGGERS = [
    ("funding", "{name} raised a Series {round} round to expand its fulfilment network"),
    ("expansion", "{name} opens a new distribution centre in {city}"),
    ("leadership_change", "{name} appoints a new Chief Operating Officer"),
    ("acquisition", "{name} acquires a regional parcel carrier"),
    ("hiring_surge", "{name} is hiring 40+ warehouse and logistics engineers"),
    ("product_launch", "{name} launches same-day delivery in {city}"),
]
CITIES = ["Hamburg", "Rotterdam", "Lyon", "Leeds", "Poznań", "Atlanta", "Milano", "Göteborg"]


def signals_demo_seed(*, workspace: Workspace, stdout=None) -> None:
    _topics(workspace)
    _providers(workspace)
    signal_settings_get(workspace=workspace)
    if IntentSignal.objects.for_workspace(workspace).exists() or EngagementEvent.objects.for_workspace(
            workspace).exists():
        return  # the synthetic history is written once
    rng = random.Random(SEED)
    today = timezone.localdate()
    now = timezone.now()
    first_monday = today - timedelta(days=today.weekday() + 7 * (WEEKS - 1))
    mondays = [first_monday + timedelta(weeks=w) for w in range(WEEKS)]
    accounts = list(Account.objects.for_workspace(workspace).exclude(domain="").order_by("pk")
                    .values("pk", "name", "domain", "city"))
    by_id = {a["pk"]: a for a in accounts}
    opened = _first_opportunity(workspace, since=first_monday + timedelta(weeks=10))
    people: dict[int, list[str]] = {}
    for account_id, email in Contact.objects.for_workspace(workspace).filter(
            account__isnull=False, erased_at__isnull=True).exclude(email="").order_by("pk").values_list(
            "account_id", "email"):
        people.setdefault(account_id, []).append(email)

    context = IngestContext(workspace=workspace, now=now)
    intent = _intent_rows(rng, by_id, opened, mondays, today)
    engagement = _engagement_rows(rng, by_id, opened, people, mondays[0], now)
    triggers = _trigger_rows(rng, by_id, opened, mondays[0], today)
    reports = []
    for kind, rows in (("intent", intent), ("engagement", engagement), ("trigger", triggers)):
        reports.append(signals_ingest(workspace=workspace, kind=kind, rows=enumerate(rows, start=1),
                                      context=IngestContext(workspace=workspace, now=now,
                                                            rules=context.rules)))
    if stdout:
        stdout.write("    " + ", ".join(f"{r.created:,} {r.kind}" for r in reports)
                     + f" signals; {sum(r.unresolved for r in reports)} unresolved")


def _topics(workspace: Workspace) -> None:
    for name, category in SELECTED_TOPICS + OTHER_TOPICS:
        IntentTopic.objects.for_workspace(workspace).get_or_create(
            name=name, defaults={"category": category, "is_selected": (name, category) in SELECTED_TOPICS,
                                 "weight": 1.0 if name != "Inventory Optimisation" else 0.6})


def _providers(workspace: Workspace) -> None:
    from insights.signals.models import SignalProvider

    existing = set(SignalProvider.objects.for_workspace(workspace).values_list("name", flat=True))
    for name, kind, signal_kind, config in [
            ("bombora", ProviderKind.FILE_DROP, SignalKind.INTENT, {"path": "bombora"}),
            ("hubspot", ProviderKind.REST_PUSH, SignalKind.ENGAGEMENT, {}),
            ("website", ProviderKind.TRACKING, SignalKind.ENGAGEMENT, {})]:
        if name not in existing:
            # The folder is made when someone drops a file, not by the demo.
            signal_provider_save(workspace=workspace, name=name, kind=kind, signal_kind=signal_kind, config=config,
                                 create_folder=False)


def _first_opportunity(workspace: Workspace, *, since: date) -> dict[int, date]:
    opened: dict[int, date] = {}
    for account_id, created in Opportunity.objects.for_workspace(workspace).filter(
            created_date__gte=since).order_by("created_date", "pk").values_list("account_id", "created_date"):
        opened.setdefault(account_id, created)
    return opened


def _clip(value: float) -> int:
    return max(0, min(100, int(round(value))))


def _intent_rows(rng: random.Random, accounts: dict, opened: dict, mondays: list[date], today: date) -> list[dict]:
    """Weekly scores for the accounts that later opened a deal and as many others (noise)."""
    selected = [name for name, _ in SELECTED_TOPICS]
    others = [name for name, _ in OTHER_TOPICS]
    with_deal = sorted(a for a in opened if a in accounts)
    without = sorted(set(accounts) - set(opened))
    tracked = rng.sample(with_deal, min(120, len(with_deal))) + rng.sample(without, min(110, len(without)))
    categories = dict(SELECTED_TOPICS + OTHER_TOPICS)
    rows = []
    for account_id in tracked:
        account = accounts[account_id]
        deal_day = opened.get(account_id)
        topics = rng.sample(selected, 3) + ([rng.choice(others)] if rng.random() < 0.5 else [])
        # Noise accounts sometimes spike for a few weeks, at a random time, on one topic.
        blip = (rng.randrange(len(mondays)), rng.choice(topics)) if deal_day is None and rng.random() < 0.25 else None
        for topic in topics:
            base = rng.uniform(38, 52)
            for index, monday in enumerate(mondays):
                score = base + rng.gauss(0, 5)
                if deal_day is not None and topic in selected:
                    weeks_before = (deal_day - monday).days / 7
                    if 0 <= weeks_before <= 10:
                        score = base + (10 - weeks_before) * rng.uniform(2.6, 3.8) + rng.gauss(0, 3)
                    elif -4 <= weeks_before < 0:
                        score = base + 20 + weeks_before * 4 + rng.gauss(0, 3)
                if blip and blip[1] == topic and 0 <= index - blip[0] < 3:
                    score += rng.uniform(10, 18)
                rows.append({"provider": "bombora", "week_start": monday.isoformat(), "domain": account["domain"],
                             "company_name": account["name"], "topic": topic, "topic_category": categories[topic],
                             "score": _clip(score), "country": ""})
    # Companies that are not accounts (yet): kept as unresolved, retried after an import.
    for n in range(12):
        rows.append({"provider": "bombora", "week_start": mondays[-1 - n % 3].isoformat(),
                     "domain": f"prospect-{n}.example", "company_name": f"Prospect {n} Logistics",
                     "topic": selected[n % len(selected)], "score": 55 + n})
    return rows


def _moment(rng: random.Random, day: date, now: datetime) -> str:
    moment = datetime.combine(day, time(rng.randint(7, 18), rng.randint(0, 59)), tzinfo=dt_timezone.utc)
    return min(moment, now - timedelta(minutes=5)).isoformat()


def _engagement_rows(rng: random.Random, accounts: dict, opened: dict, people: dict, start: date,
                     now: datetime) -> list[dict]:
    rows: list[dict] = []
    today = now.date()
    span = (today - start).days
    counter = iter(range(10**9))

    def add(event_type: str, day: date, *, email: str = "", domain: str = "", url: str = "", **extra) -> None:
        if day > today or day < start:
            return
        row = {"type": event_type, "occurred_at": _moment(rng, day, now), "source": "demo",
               "external_id": f"demo-{next(counter)}"}
        if email:
            row["email"] = email
        else:
            row["account_domain"] = domain
        if url:
            row["url"] = SITE + url
        rows.append({**row, **extra})

    # Known people: background noise, 18 months.
    for account_id, emails in sorted(people.items()):
        if account_id not in accounts:
            continue
        for _ in range(rng.randint(4, 7) * 4):
            day = start + timedelta(days=rng.randrange(span))
            person = rng.choice(emails)
            kind = rng.choices(["email_open", "email_click", "web_visit", "ad_impression", "content_download"],
                               [45, 12, 25, 15, 3])[0]
            add(kind, day, email=person, url=rng.choice(PAGES) if kind == "web_visit" else "")
    # Anonymous visitors: noise on many accounts.
    for account_id in sorted(accounts):
        if rng.random() < 0.45:
            for _ in range(rng.randint(8, 40)):
                add("web_visit", start + timedelta(days=rng.randrange(span)), domain=accounts[account_id]["domain"],
                    url=rng.choice(PAGES + ["/careers/warehouse-engineer"]))
    # The planted pattern: the 8 weeks before a deal opened.
    for account_id, deal_day in sorted(opened.items()):
        if account_id not in accounts:
            continue
        domain = accounts[account_id]["domain"]
        emails = people.get(account_id, [])
        window_start = deal_day - timedelta(weeks=8)
        for _ in range(rng.randint(12, 30)):
            day = window_start + timedelta(days=rng.randrange(56))
            add("web_visit", day, domain=domain, url=rng.choice(PAGES + HIGH_VALUE_PAGES * 2))
        if not emails:
            continue
        engaged = rng.sample(emails, min(len(emails), rng.randint(3, 5)))
        for person in engaged:
            for _ in range(rng.randint(3, 6)):
                day = window_start + timedelta(days=rng.randrange(56))
                kind = rng.choices(["web_visit", "email_click", "content_download", "email_reply"], [5, 3, 2, 1])[0]
                add(kind, day, email=person, url=rng.choice(HIGH_VALUE_PAGES + PAGES) if kind == "web_visit" else "",
                    details={"premium": True} if kind == "content_download" and rng.random() < 0.4 else {})
            if rng.random() < 0.7:
                webinar = window_start + timedelta(days=rng.randrange(40))
                add("webinar_registration", webinar - timedelta(days=rng.randint(3, 10)), email=person)
                add("webinar_attendance", webinar, email=person)
        champion = engaged[0]
        add("form_fill", deal_day - timedelta(days=rng.randint(5, 20)), email=champion,
            url="/demo", details={"form_type": "demo_request"})
        add("meeting", deal_day - timedelta(days=rng.randint(0, 6)), email=champion,
            duration_seconds=rng.choice([1800, 2700, 3600]))
    # People who are not contacts yet: a company address matches by domain, free-mail stays unresolved.
    for n, account_id in enumerate(sorted(accounts)[:30]):
        add("webinar_registration", today - timedelta(days=n + 3), email=f"guest{n}@{accounts[account_id]['domain']}")
    for n in range(8):
        add("webinar_registration", today - timedelta(days=n + 2), email=f"webinar.guest{n}@gmail.com")
    return rows


def _trigger_rows(rng: random.Random, accounts: dict, opened: dict, start: date, today: date) -> list[dict]:
    rows = []
    for account_id in sorted(accounts):
        account = accounts[account_id]
        deal_day = opened.get(account_id)
        days = []
        if deal_day is not None and rng.random() < 0.55:
            days.append(deal_day - timedelta(days=rng.randint(14, 84)))
        if rng.random() < 0.08:
            days.append(start + timedelta(days=rng.randrange((today - start).days)))
        for n, day in enumerate(days):
            if not start <= day <= today:
                continue
            kind, text = rng.choice(TRIGGERS)
            rows.append({"type": kind, "occurred_on": day.isoformat(), "source": "newsfeed",
                         "external_id": f"news-{account_id}-{n}",
                         "summary": text.format(name=account["name"], round=rng.choice("ABC"),
                                                city=account["city"] or rng.choice(CITIES)),
                         "source_url": f"https://news.example/{account['domain']}/{day:%Y%m%d}",
                         "account_domain": account["domain"]})
    return rows
