"""Latency of the filtered, paginated accounts API and list page at 100k accounts.

Baseline in the same run: the jobs list API (a small table, same middleware, auth and
pagination), so the ratio shows what the accounts query itself costs.
Target (issue #3): p95 under 150 ms for a page of 50.
"""
import argparse
import random

from _setup import bench_workspace, percentile, summary, timed

from django.db import connection
from django.test import Client

QUERIES = [
    {},
    {"ordering": "-employees"},
    {"tier": "1"},
    {"country": "DE,FR", "employees_min": "500"},
    {"industry": "Logistics", "revenue_min": "50000000", "ordering": "name"},
    {"q": "Company 0042"},
    {"on_hold": "false", "has_open_opportunity": "false", "technology": "SAP S/4HANA"},
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    workspace, user = bench_workspace("bench-100k", accounts=args.accounts)
    client = Client()
    client.force_login(user)
    print(f"database: {connection.vendor}, accounts in workspace: {args.accounts:,}")

    def api(params):
        response = client.get("/api/v1/accounts/", {**params, "page_size": 50})
        assert response.status_code == 200, response.content[:300]

    def page(params):
        response = client.get("/accounts/", params)
        assert response.status_code == 200

    client.get("/api/v1/jobs/")  # warm up
    baseline = timed(lambda: client.get("/api/v1/jobs/"), args.repeat * 2)
    print(f"baseline  jobs API            {summary(baseline)}")
    rng = random.Random(1)
    api_samples, page_samples = [], []
    for params in QUERIES:
        api(params)
        samples = timed(lambda: api(params), args.repeat)
        api_samples += samples
        print(f"API  {str(params)[:60]:<60} {summary(samples)}")
    for params in QUERIES:
        page(params)
        samples = timed(lambda: page(params), args.repeat)
        page_samples += samples
        print(f"page {str(params)[:60]:<60} {summary(samples)}")
    deep = timed(lambda: api({"page": rng.randint(100, 1900)}), args.repeat)
    print(f"API  deep pages (page 100–1900)                               {summary(deep)}")
    base95 = percentile(baseline, 0.95)
    print(f"\nall API queries: {summary(api_samples)}   p95/baseline p95 = {percentile(api_samples, .95) / base95:.1f}×")
    print(f"all page loads:  {summary(page_samples)}   p95/baseline p95 = {percentile(page_samples, .95) / base95:.1f}×")
    print("target: p95 < 150 ms for a page of 50")


if __name__ == "__main__":
    main()
