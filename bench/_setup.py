"""Shared set-up for bench scripts: Django, and a workspace with N synthetic accounts."""
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abm_platform.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

INDUSTRIES = ["Logistics", "E-commerce", "Retail", "Manufacturing", "Automotive", "Pharma", "Food & Beverage"]
COUNTRIES = ["DE", "GB", "FR", "NL", "US", "ES", "IT", "SE", "PL", "JP"]
TECHNOLOGIES = ["SAP S/4HANA", "Oracle NetSuite", "Salesforce", "HubSpot", "Shopify Plus", "Manhattan WMS", "AWS"]


def synthetic_records(n: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    records = []
    for i in range(n):
        employees = int(max(5, rng.lognormvariate(5.3, 1.5)))
        records.append({
            "external_id": f"B-{i:07d}", "name": f"Bench Company {i:07d} {rng.choice(['GmbH', 'Ltd', 'Inc', 'SA'])}",
            "domain": f"bench-company-{i}.{rng.choice(['com', 'de', 'co.uk', 'fr'])}",
            "industry": rng.choice(INDUSTRIES), "country": rng.choice(COUNTRIES), "employees": employees,
            "annual_revenue": employees * rng.randint(80_000, 250_000), "currency": "EUR",
            "technologies": ";".join(rng.sample(TECHNOLOGIES, 2)), "tier": rng.choice(["1", "2", "3", "", "", ""]),
        })
    return records


def bench_workspace(slug: str, *, accounts: int):
    """A workspace with `accounts` synthetic accounts (created once, reused by later runs)."""
    from abm_platform.models import Membership, User, Workspace
    from abm_platform.services.workspaces import workspace_create
    from accounts.models import Account, Tier
    from accounts.services.upsert import accounts_upsert

    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        owner, _ = User.objects.get_or_create(email=f"bench@{slug}.local")
        workspace = workspace_create(name=f"Bench {slug}", slug=slug, owner=owner)
        Tier.objects.for_workspace(workspace).update(max_accounts=None)
    have = Account.objects.for_workspace(workspace).count()
    if have < accounts:
        print(f"seeding {accounts - have} accounts into {slug} …", flush=True)
        records = synthetic_records(accounts)[have:]
        for start in range(0, len(records), 2000):
            accounts_upsert(workspace=workspace, records=records[start:start + 2000])
        from abm_platform.bulk import analyze
        from accounts.models import AccountIdentifier, AccountTechnology

        analyze(Account, AccountIdentifier, AccountTechnology)
    user = Membership.objects.for_workspace(workspace).select_related("user").first().user
    return workspace, user


def timed(fn, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"p50 {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms   (n={len(ordered)})"


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(len(ordered) * q) - 1)]
