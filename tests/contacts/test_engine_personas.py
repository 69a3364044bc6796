"""Persona assignment and buying-group coverage (DOMAIN.md §3.3–3.4)."""
import pytest

from contacts.engine.personas import (
    NO_PERSONA,
    PersonaRule,
    PersonaSpec,
    assign_persona,
    coverage,
    matching_personas,
    seniority_mix,
)

LOGISTICS_LEADER = PersonaRule(id=1, name="Logistics leader", title_keywords=("logist*", "supply chain", "物流"),
                               seniorities=("c_level", "vp", "director"), priority=10)
OPS_PEOPLE = PersonaRule(id=2, name="Operations team", departments=("operations",), priority=50)
IT_GATE = PersonaRule(id=3, name="IT gatekeeper", departments=("it",), seniorities=("c_level", "director"),
                      match_mode="any", priority=30)
BUYER = PersonaRule(id=4, name="Buyer", title_keywords=("*einkauf*", "procurement", "purchasing"),
                    title_keywords_exclude=("assistant",), priority=20)
PERSONAS = [OPS_PEOPLE, IT_GATE, LOGISTICS_LEADER, BUYER]


def test_the_first_matching_persona_by_priority_wins():
    persona_id, reason = assign_persona("Head of Logistics", "operations", "director", PERSONAS)

    assert persona_id == 1
    assert reason.startswith("persona 'Logistics leader' (priority 10): title keyword 'logist*', "
                             "seniority Director/Head")
    assert reason.endswith("; 2 lower-priority persona(s) also fit")  # Operations team, IT gatekeeper (any: director)


def test_a_lower_priority_persona_applies_when_the_first_does_not_fit():
    persona_id, reason = assign_persona("Logistics Coordinator", "operations", "practitioner", PERSONAS)

    assert persona_id == 2
    assert "department operations" in reason


def test_equal_priority_keeps_the_given_order():
    first = PersonaRule(id="a", name="A", departments=("sales",), priority=5)
    second = PersonaRule(id="b", name="B", departments=("sales",), priority=5)

    assert assign_persona("Sales Manager", "sales", "manager", [first, second])[0] == "a"
    assert assign_persona("Sales Manager", "sales", "manager", [second, first])[0] == "b"


def test_all_mode_needs_every_criterion():
    assert assign_persona("Logistics Analyst", "operations", "practitioner", [LOGISTICS_LEADER])[0] is None


def test_any_mode_needs_one_criterion():
    assert assign_persona("IT Specialist", "it", "practitioner", [IT_GATE])[0] == 3
    assert assign_persona("Chief Executive", "executive", "c_level", [IT_GATE])[0] == 3
    assert assign_persona("Marketing Manager", "marketing", "manager", [IT_GATE])[0] is None


def test_star_allows_compound_words_and_plain_keywords_are_whole_words():
    assert assign_persona("Einkaufsleiterin", "", "director", [BUYER])[0] == 4
    assert assign_persona("Leiterin Einkauf", "", "director", [BUYER])[0] == 4
    exact = PersonaRule(id=9, name="IT", title_keywords=("it",))
    assert assign_persona("IT-Leiter", None, None, [exact])[0] == 9
    assert assign_persona("Item Planner", None, None, [exact])[0] is None


def test_chinese_keywords_match_inside_chinese_titles():
    assert assign_persona("物流总监", "operations", "director", [LOGISTICS_LEADER])[0] == 1


def test_exclude_keywords_veto():
    assert assign_persona("Procurement Assistant", "procurement", "practitioner", [BUYER])[0] is None


def test_department_matching_ignores_case():
    assert assign_persona("x", "Operations", None, [OPS_PEOPLE])[0] == 2


def test_no_match_says_so():
    persona_id, reason = assign_persona("Wizard", None, None, PERSONAS)

    assert persona_id is None
    assert reason == f"{NO_PERSONA} (of 4)"


def test_a_persona_without_criteria_is_never_assigned_automatically():
    catch_all = PersonaRule(id=7, name="Everyone")

    assert assign_persona("CEO", "executive", "c_level", [catch_all])[0] is None


def test_all_fitting_personas_are_listed_in_priority_order():
    found = matching_personas("VP Supply Chain", "operations", "vp", PERSONAS)

    assert [pid for pid, _ in found] == [1, 2]


def test_persona_rules_are_validated():
    with pytest.raises(ValueError, match="match mode"):
        PersonaRule(id=1, name="x", departments=("it",), match_mode="either")
    with pytest.raises(ValueError, match="unknown seniority"):
        PersonaRule(id=1, name="x", seniorities=("boss",))


def test_persona_spec_is_the_same_rule_and_lists_become_tuples():
    spec = PersonaSpec(id=1, name="x", title_keywords=["logistics"], departments=["IT"])

    assert isinstance(spec, PersonaRule)
    assert spec.title_keywords == ("logistics",) and spec.departments == ("it",)
    assert hash(spec)


# --- coverage -----------------------------------------------------------------------------------

TIER_ONE = ["decision_maker", "economic_buyer", "champion", "technical_evaluator", "user"]


def test_coverage_uses_the_weighted_formula():
    # weights 3 + 3 + 3 + 2 + 1 = 12; filled decision_maker (3) + technical_evaluator (2) + user (1) = 6
    people = [(10, ["decision_maker"]), (11, ["technical_evaluator", "user"]), (12, ["user"])]

    result = coverage(TIER_ONE, people)

    assert result.filled == {"decision_maker": [10], "technical_evaluator": [11], "user": [11, 12]}
    assert result.missing == ["economic_buyer", "champion"]
    assert result.ratio == 0.5


def test_full_and_empty_coverage():
    everyone = [(i, [role]) for i, role in enumerate(TIER_ONE)]

    assert coverage(TIER_ONE, everyone).ratio == 1.0
    assert coverage(TIER_ONE, everyone).missing == []
    empty = coverage(TIER_ONE, [])
    assert (empty.ratio, empty.missing, empty.filled) == (0.0, TIER_ONE, {})


def test_no_expected_roles_means_nothing_is_missing():
    result = coverage([], [(1, ["user"])])

    assert (result.ratio, result.missing, result.filled) == (1.0, [], {})
    assert result.other_roles == {"user": [1]}


def test_custom_importance_and_unlisted_roles_weigh_one():
    result = coverage(["champion", "gatekeeper"], [(1, ["gatekeeper"])], importance={"champion": 3})

    assert result.ratio == 0.25


def test_engaged_coverage_counts_only_engaged_contacts():
    people = [(1, ["decision_maker"]), (2, ["economic_buyer"]), (3, ["champion"])]

    result = coverage(["decision_maker", "economic_buyer", "champion"], people, engaged_contact_ids={1, 3})

    assert result.ratio == 1.0
    assert result.engaged_ratio == pytest.approx(6 / 9, abs=1e-4)
    assert coverage(TIER_ONE, people).engaged_ratio is None


def test_blockers_and_unexpected_roles_are_reported_apart():
    people = [(1, ["blocker", "influencer"]), (2, ["gatekeeper"]), (1, ["influencer"])]

    result = coverage(["decision_maker"], people)

    assert result.blockers == [1]
    assert result.other_roles == {"influencer": [1], "gatekeeper": [2]}
    assert result.ratio == 0.0


def test_duplicate_expected_roles_count_once():
    assert coverage(["user", "user"], [(1, ["user"])]).filled == {"user": [1]}


@pytest.mark.parametrize(("expected", "people", "message"), [
    (["sponsor"], [], "unknown buying-group role 'sponsor' in expected roles"),
    (["user"], [(1, ["boss"])], "unknown buying-group role 'boss' in contact 1"),
    (["blocker"], [], "cannot be an expected role"),
])
def test_coverage_refuses_unknown_roles(expected, people, message):
    with pytest.raises(ValueError, match=message):
        coverage(expected, people)


def test_seniority_mix_counts_c_level_and_vp_as_one_level():
    assert seniority_mix(["c_level", "vp", "director"]) == 0.5
    assert seniority_mix(["c_level", "director", "manager", "practitioner", None, "bogus"]) == 1.0
    assert seniority_mix([]) == 0.0
