"""Website personalisation: the customer's site asks the public endpoint with its tracking key
and a visitor's contact token or company domain, and gets the content of the account's sent
web personalisation touch, else a variant by tier and journey stage. Anything unknown — key,
token, domain, another workspace's token or account — is the same bare 404."""
import uuid

import pytest
from django.test import Client
from django.urls import include, path
from django.utils import timezone

from abm_platform.urls import urlpatterns as root_urlpatterns
from campaigns.models import CampaignStatus, Touch, TouchStatus
from campaigns.services.enrolment import play_enrol
from campaigns.services.planning import plan_due
from campaigns.services.sending import send_due
from campaigns.views import public
from insights.signals.services.tracking import contact_tracking_token
from tests.factories import (
    AccountFactory, CampaignFactory, ContactFactory, ContentTemplateFactory, PlayFactory, SignalSettingsFactory,
    StepFactory, TierFactory,
)

# Until abm_platform/urls.py mounts the public campaign URLs, this module is the URL conf.
urlpatterns = [path("p/", include("campaigns.public_urls")), *root_urlpatterns]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

KEY_A, KEY_B = "northwind-site-key", "globex-site-key"
NOT_FOUND = {"message": "Not found."}
CTA = {"text": "Book a workshop", "url": "https://northwind.example/workshop"}
VARIANTS = [
    {"name": "t1-engaged", "tiers": [1], "stages": ["engaged", "mqa"], "headline": "{{ account.name }}: see it live",
     "body": "Tier one accounts get a workshop.", "cta": {"text": "Talk to us", "url": "https://northwind.example/t1"}},
    {"name": "untiered", "tiers": ["none"], "headline": "Warehouse automation", "body": "Read the guide."},
]


@pytest.fixture
def visitor():
    """A browser at its own address (the rate limit counts per address)."""
    return Client(REMOTE_ADDR=f"visitor-{uuid.uuid4().hex}")


@pytest.fixture
def site(workspace, admin):
    """Workspace A personalises its site: Initech's touch was sent; Globex and Umbrella are Tier 1
    but not enrolled (engaged / only a target); Hooli has no tier."""
    SignalSettingsFactory(workspace=workspace, tracking_key=KEY_A)
    tier1 = TierFactory(workspace=workspace, name="Tier 1 — Strategic", order=1)
    initech = AccountFactory(workspace=workspace, name="Initech", domain="initech.com", industry="Logistics",
                             tier=tier1, journey_stage="engaged")
    globex = AccountFactory(workspace=workspace, name="Globex", domain="globex.com", tier=tier1,
                            journey_stage="engaged")
    umbrella = AccountFactory(workspace=workspace, name="Umbrella", domain="umbrella.com", tier=tier1,
                              journey_stage="target")
    hooli = AccountFactory(workspace=workspace, name="Hooli", domain="hooli.com")
    ada = ContactFactory(workspace=workspace, account=initech, first_name="Ada")
    campaign = CampaignFactory(workspace=workspace, owner=admin, status=CampaignStatus.ACTIVE)
    campaign.accounts.set([initech])
    play = PlayFactory(workspace=workspace, campaign=campaign)
    template = ContentTemplateFactory(workspace=workspace, channel="web_personalisation",
                                      subject="{{ account.name }}, automate your warehouse",
                                      body="Built for {{ account.industry }} teams.")
    step = StepFactory(workspace=workspace, play=play, order=1, channel="web_personalisation", template=template,
                       config={"cta": CTA, "variants": VARIANTS})
    play_enrol(play=play, account_ids=[initech.pk], reason="test")
    now = timezone.now()
    plan_due(workspace_id=workspace.pk, now=now)
    assert send_due(workspace_id=workspace.pk, now=now)["sent"] == 1
    return {"step": step, "ada": ada, "campaign": campaign, "initech": initech, "globex": globex,
            "umbrella": umbrella, "hooli": hooli}


@pytest.fixture
def other_site(other_workspace, outsider):
    """Workspace B runs personalisation too, with a catch-all variant for its own accounts."""
    SignalSettingsFactory(workspace=other_workspace, tracking_key=KEY_B)
    account = AccountFactory(workspace=other_workspace, name="Globex Corp B", domain="globex-b.com")
    carla = ContactFactory(workspace=other_workspace, account=account, first_name="Carla")
    campaign = CampaignFactory(workspace=other_workspace, owner=outsider, status=CampaignStatus.ACTIVE)
    play = PlayFactory(workspace=other_workspace, campaign=campaign)
    StepFactory(workspace=other_workspace, play=play, order=1, channel="web_personalisation",
                config={"variants": [{"name": "all", "headline": "Hello from B", "body": "B's content."}]})
    return {"account": account, "carla": carla}


def _ask(client, **params):
    return client.get("/p/personalise", params)


def test_a_known_visitor_sees_the_sent_touch_of_their_account(site, visitor):
    response = _ask(visitor, k=KEY_A, c=contact_tracking_token(site["ada"]))
    assert response.status_code == 200
    assert response.json() == {
        "headline": "Initech, automate your warehouse", "body": "Built for Logistics teams.", "cta": CTA,
        "variant": f"step-{site['step'].pk}/A",
        "account": {"name": "Initech", "tier": "Tier 1 — Strategic", "stage": "engaged"},
    }
    assert response["Access-Control-Allow-Origin"] == "*"
    touch = Touch.objects.for_workspace(site["step"].workspace_id).get()
    assert touch.status == TouchStatus.SENT and touch.subject == "Initech, automate your warehouse"


def test_a_company_by_domain_gets_the_variant_of_its_tier_and_stage(site, visitor):
    globex = _ask(visitor, k=KEY_A, d="https://www.Globex.com/pricing").json()
    assert globex["headline"] == "Globex: see it live" and globex["variant"] == f"step-{site['step'].pk}/t1-engaged"
    assert globex["cta"] == {"text": "Talk to us", "url": "https://northwind.example/t1"}
    hooli = _ask(visitor, k=KEY_A, d="hooli.com").json()
    assert hooli["headline"] == "Warehouse automation" and hooli["cta"] == CTA     # the step's CTA
    assert hooli["account"] == {"name": "Hooli", "tier": "", "stage": "target"}
    initech_by_domain = _ask(visitor, k=KEY_A, d="initech.com").json()
    assert initech_by_domain["headline"] == "Initech, automate your warehouse"


def test_nothing_to_show_is_a_bare_404(site, visitor):
    response = _ask(visitor, k=KEY_A, d="umbrella.com")     # tier 1 but only a target: no variant fits
    assert response.status_code == 404 and response.json() == NOT_FOUND


@pytest.mark.parametrize("params", [
    {"k": "no-such-key", "d": "globex.com"},
    {"k": "", "d": "globex.com"},
    {"k": KEY_A, "c": "forged.token:abc"},
    {"k": KEY_A, "d": "never-heard-of.example"},
    {"k": KEY_A},
], ids=["unknown key", "no key", "forged token", "unknown domain", "nobody"])
def test_unknown_keys_tokens_and_domains_are_a_bare_404(site, visitor, params):
    response = _ask(visitor, **params)
    assert response.status_code == 404 and response.json() == NOT_FOUND


def test_another_workspaces_key_token_or_account_finds_nothing(site, other_site, visitor):
    ada_token = contact_tracking_token(site["ada"])
    carla_token = contact_tracking_token(other_site["carla"])
    assert _ask(visitor, k=KEY_B, d="globex-b.com").json()["headline"] == "Hello from B"   # B works for B
    attempts = [
        {"k": KEY_B, "c": ada_token},                 # A's contact with B's key
        {"k": KEY_A, "c": carla_token},               # B's contact with A's key
        {"k": KEY_A, "d": "globex-b.com"},        # B's account with A's key
        {"k": KEY_B, "d": "initech.com"},         # A's account with B's key
    ]
    for params in attempts:
        response = _ask(visitor, **params)
        assert (response.status_code, response.json()) == (404, NOT_FOUND), params


def test_a_paused_campaign_stops_its_personalisation(site, visitor):
    site["campaign"].status = CampaignStatus.PAUSED
    site["campaign"].save()
    assert _ask(visitor, k=KEY_A, c=contact_tracking_token(site["ada"])).status_code == 404
    assert _ask(visitor, k=KEY_A, d="globex.com").status_code == 404


def test_an_erased_visitor_is_not_recognised(site, visitor):
    site["ada"].erased_at = timezone.now()
    site["ada"].save()
    assert _ask(visitor, k=KEY_A, c=contact_tracking_token(site["ada"])).status_code == 404


def test_slots_keep_their_own_content(site, visitor):
    assert _ask(visitor, k=KEY_A, d="globex.com", slot="footer").status_code == 404
    step = site["step"]
    step.config = {**step.config, "slot": "footer"}
    step.save()
    assert _ask(visitor, k=KEY_A, d="globex.com", slot="footer").json()["headline"] == "Globex: see it live"
    assert _ask(visitor, k=KEY_A, d="globex.com").status_code == 404


def test_it_answers_cors_preflights_and_bounds_the_rate(site, visitor, monkeypatch):
    preflight = visitor.options("/p/personalise")
    assert preflight.status_code == 204 and preflight["Access-Control-Allow-Methods"] == "GET, OPTIONS"
    monkeypatch.setattr(public, "PERSONALISATION_RATE_LIMIT", 2)
    assert _ask(visitor, k=KEY_A, d="globex.com").status_code == 200
    assert _ask(visitor, k="no-such-key").status_code == 404          # unknown keys count too
    limited = _ask(visitor, k=KEY_A, d="globex.com")
    assert limited.status_code == 429 and limited["Access-Control-Allow-Origin"] == "*"
    assert _ask(Client(REMOTE_ADDR=f"other-{uuid.uuid4().hex}"), k=KEY_A, d="globex.com").status_code == 200


def test_a_broken_template_falls_back_to_the_variants(site, visitor):
    template = site["step"].template
    template.subject = "{{ account.nope }}"
    template.save()
    response = _ask(visitor, k=KEY_A, c=contact_tracking_token(site["ada"]))
    assert response.status_code == 200 and response.json()["variant"] == f"step-{site['step'].pk}/t1-engaged"
