"""The engagement rules engine (DOMAIN.md §1.3): minutes, seniority, pages, half-lives. No database."""
import pytest

from insights.signals.engine.rules import (
    CHANNEL_OF, DEFAULT_RULES, TYPES, RulesError, rule_set, rules_overrides, merged_rules, variant_of, weigh,
)

DEFAULTS = rule_set()


def test_every_type_has_a_channel_and_a_default_rule():
    assert set(CHANNEL_OF) == set(TYPES) == set(DEFAULT_RULES)
    assert CHANNEL_OF["web_visit"] == "web" and CHANNEL_OF["email_click"] == "email"
    assert CHANNEL_OF["ad_impression"] == "ads" and CHANNEL_OF["form_fill"] == "content"
    assert CHANNEL_OF["content_download"] == "content" and CHANNEL_OF["webinar_attendance"] == "events"
    assert CHANNEL_OF["event_registration"] == "events" and CHANNEL_OF["meeting"] == "meetings"
    assert CHANNEL_OF["call"] == "calls"


@pytest.mark.parametrize("event_type,minutes,half_life", [
    ("web_visit", 1, 14), ("email_open", 0.1, 14), ("email_click", 1, 30), ("email_reply", 1, 30),
    ("ad_impression", 0, 14), ("ad_click", 1, 14), ("content_download", 5, 45), ("webinar_registration", 5, 60),
    ("webinar_attendance", 30, 60), ("event_registration", 5, 60), ("event_attendance", 30, 60),
    ("call", 1, 30), ("form_fill", 5, 45),
])
def test_an_anonymous_event_is_worth_the_tables_minutes(event_type, minutes, half_life):
    weight = weigh(DEFAULTS, event_type)
    assert (weight.minutes, weight.half_life_days, weight.is_high_value) == (minutes, half_life, False)


@pytest.mark.parametrize("seniority,factor", [("c_level", 2.0), ("vp", 1.5), ("director", 1.25), ("manager", 1.0),
                                              ("practitioner", 0.5), ("", 0.5), (None, 0.5)])
def test_a_known_persons_seniority_multiplies_the_minutes(seniority, factor):
    weight = weigh(DEFAULTS, "webinar_attendance", has_contact=True, seniority=seniority)
    assert weight.minutes == 30 * factor


def test_a_pricing_page_adds_four_minutes_and_is_high_value():
    weight = weigh(DEFAULTS, "web_visit", url="https://northwind.example/en/Pricing?plan=pro")
    assert weight.minutes == 5 and weight.is_high_value and weight.half_life_days == 14
    assert weigh(DEFAULTS, "web_visit", url="https://x.example/demo").is_high_value
    assert weigh(DEFAULTS, "web_visit", url="https://x.example/contact-us").is_high_value


def test_careers_login_and_unsubscribe_pages_are_worth_nothing_but_are_kept():
    for url in ("https://x.example/careers/driver", "https://x.example/login", "https://x.example/unsubscribe?u=1"):
        weight = weigh(DEFAULTS, "web_visit", url=url, has_contact=True, seniority="c_level")
        assert weight.minutes == 0 and not weight.is_high_value


def test_an_excluded_page_wins_over_a_high_value_one():
    assert weigh(DEFAULTS, "web_visit", url="https://x.example/careers/pricing-analyst").minutes == 0


def test_page_rules_only_apply_to_page_visits():
    assert weigh(DEFAULTS, "email_click", url="https://x.example/pricing").minutes == 1


def test_meetings_count_their_actual_minutes_and_thirty_when_unknown():
    assert weigh(DEFAULTS, "meeting", duration_seconds=45 * 60).minutes == 45
    assert weigh(DEFAULTS, "meeting").minutes == 30
    assert weigh(DEFAULTS, "meeting", duration_seconds=45 * 60, has_contact=True, seniority="vp").minutes == 67.5
    assert weigh(DEFAULTS, "meeting").half_life_days == 90
    assert weigh(DEFAULTS, "meeting", duration_seconds=3 * 24 * 3600).minutes == 480  # capped at a day's work


def test_variants_from_details():
    assert variant_of("form_fill", {"form_type": "Demo Request"}) == "demo_request"
    assert variant_of("form_fill", {"form_type": "newsletter"}) == ""
    assert variant_of("content_download", {"premium": True}) == "premium"
    assert variant_of("event_attendance", {"status": "booth_visit"}) == "booth_visit"
    assert variant_of("call", {"connected": False}) == "not_connected"
    assert variant_of("call", {"outcome": "voicemail"}) == "not_connected"
    assert variant_of("web_visit", {"premium": True}) == ""


def test_special_rules():
    demo = weigh(DEFAULTS, "form_fill", variant="demo_request")
    assert (demo.minutes, demo.half_life_days, demo.is_high_value) == (30, 90, True)
    assert weigh(DEFAULTS, "content_download", variant="premium").minutes == 10
    assert weigh(DEFAULTS, "event_attendance", variant="booth_visit").minutes == 15
    assert weigh(DEFAULTS, "call", variant="not_connected").minutes == 0


def test_a_workspace_overrides_numbers_and_pages():
    rules = rule_set({"web_visit": {"minutes": 2, "high_value_bonus": 8}, "email_open": {"half_life_days": 7}},
                     high_value_paths=["/Preise"], excluded_paths=[])
    assert weigh(rules, "web_visit", url="https://x.example/de/preise").minutes == 10
    assert weigh(rules, "web_visit", url="https://x.example/pricing").minutes == 2
    assert weigh(rules, "web_visit", url="https://x.example/careers").minutes == 2
    assert weigh(rules, "email_open").half_life_days == 7


@pytest.mark.parametrize("overrides,where", [
    ({"fax": {"minutes": 1}}, "fax"),
    ({"web_visit": {"points": 1}}, "web_visit.points"),
    ({"web_visit": {"minutes": -1}}, "web_visit.minutes"),
    ({"web_visit": {"half_life_days": 0}}, "web_visit.half_life_days"),
    ({"web_visit": {"minutes": "lots"}}, "web_visit.minutes"),
])
def test_bad_overrides_are_refused_with_the_place(overrides, where):
    with pytest.raises(RulesError) as error:
        rule_set(overrides)
    assert where in error.value.problems


def test_wildcards_are_refused_in_page_fragments():
    with pytest.raises(RulesError):
        rule_set(high_value_paths=["/pri%ing"])


def test_only_differences_from_the_defaults_are_stored():
    numbers = merged_rules({"web_visit": {"minutes": 1, "high_value_bonus": 6}})
    assert rules_overrides(numbers) == {"web_visit": {"high_value_bonus": 6.0}}


def test_an_infinite_number_is_reported_as_not_a_whole_number_not_a_crash():
    from datetime import datetime, timezone

    from insights.signals.engine.rows import check_row

    checked = check_row("engagement", {"type": "web_visit", "occurred_at": "2026-01-05", "email": "a@b.example",
                                       "source": "web", "duration_seconds": "inf"}, now=datetime(2026, 2, 1, tzinfo=timezone.utc))
    assert [e["column"] for e in checked.errors] == ["duration_seconds"]
    assert "not a whole number" in checked.errors[0]["reason"]
