"""Reading job titles: seniority, department and buying-role suggestions (DOMAIN.md §3.1–3.2)."""
import pytest

from contacts.engine.titles import (
    BUILTIN_RULES,
    CHAMPION_CANDIDATE_WEIGHT,
    DEFAULT_ROLE_WEIGHT,
    NO_RULE_MATCHED,
    SENIORITY_LABELS,
    TitleRule,
    infer_title,
    normalise_title,
)

# (title, seniority, department, roles) with the default buying function: operations.
TITLES = [
    # English
    ("CEO", "c_level", "executive", ("decision_maker", "economic_buyer")),
    ("C.E.O.", "c_level", "executive", ("decision_maker", "economic_buyer")),
    ("President & CEO", "c_level", "executive", ("decision_maker", "economic_buyer")),
    ("Founder", "c_level", "executive", ("decision_maker", "economic_buyer")),
    ("General Manager", "c_level", "executive", ("decision_maker", "economic_buyer")),
    ("Managing Director", "c_level", "executive", ("decision_maker", "economic_buyer")),
    ("CFO", "c_level", "finance", ("economic_buyer",)),
    ("Chief Financial Officer", "c_level", "finance", ("economic_buyer",)),
    ("CIO", "c_level", "it", ("technical_evaluator",)),
    ("CISO", "c_level", "it", ("technical_evaluator",)),
    ("CTO", "c_level", "engineering", ("technical_evaluator",)),
    ("COO", "c_level", "operations", ("decision_maker",)),
    ("Chief Supply Chain Officer", "c_level", "operations", ("decision_maker",)),
    ("Chief Procurement Officer", "c_level", "procurement", ("procurement",)),
    ("CMO", "c_level", "marketing", ("influencer",)),
    ("VP of Supply Chain", "vp", "operations", ("decision_maker",)),
    ("SVP Operations", "vp", "operations", ("decision_maker",)),
    ("EVP, Global Logistics", "vp", "operations", ("decision_maker",)),
    ("Vice President, Sales", "vp", "sales", ("influencer",)),
    ("VP Finance", "vp", "finance", ("economic_buyer",)),
    ("Head of Logistics", "director", "operations", ("champion",)),
    ("Sr. Dir. Supply Chain", "director", "operations", ("champion",)),
    ("Director of IT", "director", "it", ("technical_evaluator",)),
    ("Finance Director", "director", "finance", ("economic_buyer",)),
    ("Head of Procurement", "director", "procurement", ("procurement",)),
    ("Warehouse Manager", "manager", "operations", ("influencer",)),
    ("Mgr. Procurement", "manager", "procurement", ("procurement",)),
    ("Finance Manager", "manager", "finance", ("influencer",)),
    ("IT Project Manager", "manager", "it", ("technical_evaluator",)),
    ("Transport Team Lead", "manager", "operations", ("influencer",)),
    ("Logistics Coordinator", "practitioner", "operations", ("user",)),
    ("Logistics Analyst", "practitioner", "operations", ("influencer", "user")),
    ("Software Engineer", "practitioner", "engineering", ("technical_evaluator",)),
    ("Solution Architect", "practitioner", "it", ("technical_evaluator",)),
    ("Senior Buyer", "practitioner", "procurement", ("procurement", "gatekeeper")),
    ("Key Account Manager", "practitioner", "sales", ()),
    ("Executive Assistant to the CEO", "practitioner", "executive", ("gatekeeper",)),
    ("Management Consultant", "practitioner", None, ("influencer",)),
    ("General Counsel", "c_level", "legal", ("procurement",)),
    ("Paralegal", "practitioner", "legal", ("gatekeeper",)),
    # German
    ("Geschäftsführer", "c_level", "executive", ("decision_maker", "economic_buyer")),
    ("Geschaeftsfuehrerin", "c_level", "executive", ("decision_maker", "economic_buyer")),
    ("Vorstandsvorsitzender", "c_level", "executive", ("decision_maker", "economic_buyer")),
    ("Vorstand Finanzen", "c_level", "finance", ("economic_buyer",)),
    ("Stellvertretender Geschäftsführer", "vp", "executive", ("decision_maker",)),
    ("Leiter Logistik", "director", "operations", ("champion",)),
    ("Abteilungsleiter Einkauf", "director", "procurement", ("procurement",)),
    ("Einkaufsleiterin", "director", "procurement", ("procurement",)),
    ("IT-Leiter", "director", "it", ("technical_evaluator",)),
    ("Kaufmännischer Leiter", "director", "finance", ("economic_buyer",)),
    ("Werkleiter", "director", "operations", ("champion",)),
    ("Prokurist", "director", None, ("economic_buyer", "influencer")),
    ("Teamleiter Versand", "manager", "operations", ("influencer",)),
    ("Sachbearbeiter Einkauf", "practitioner", "procurement", ("procurement", "gatekeeper")),
    ("Disponentin", "practitioner", "operations", ("user",)),
    ("Softwareentwickler", "practitioner", "engineering", ("technical_evaluator",)),
    ("Assistentin der Geschäftsführung", "practitioner", "executive", ("gatekeeper",)),
    # French
    ("PDG", "c_level", "executive", ("decision_maker", "economic_buyer")),
    ("Directeur Général", "c_level", "executive", ("decision_maker", "economic_buyer")),
    ("Directeur général adjoint", "vp", "executive", ("decision_maker",)),
    ("DAF", "c_level", "finance", ("economic_buyer",)),
    ("DSI", "c_level", "it", ("technical_evaluator",)),
    ("Directrice Logistique", "director", "operations", ("champion",)),
    ("Directeur des Achats", "director", "procurement", ("procurement",)),
    ("Directeur commercial", "director", "sales", ()),
    ("Responsable Supply Chain", "manager", "operations", ("influencer",)),
    ("Responsable des Achats", "manager", "procurement", ("procurement",)),
    ("Chef de projet informatique", "manager", "it", ("technical_evaluator",)),
    ("Acheteuse", "practitioner", "procurement", ("procurement", "gatekeeper")),
    ("Contrôleur de gestion", "practitioner", "finance", ()),
    ("Assistante de direction", "practitioner", None, ("gatekeeper",)),
    # Spanish
    ("Director General", "c_level", "executive", ("decision_maker", "economic_buyer")),
    ("Consejero Delegado", "c_level", "executive", ("decision_maker", "economic_buyer")),
    ("Gerente General", "c_level", "executive", ("decision_maker", "economic_buyer")),
    ("Vicepresidente de Operaciones", "vp", "operations", ("decision_maker",)),
    ("Directora de Logística", "director", "operations", ("champion",)),
    ("Director Financiero", "director", "finance", ("economic_buyer",)),
    ("Director de Sistemas", "director", "it", ("technical_evaluator",)),
    ("Jefe de Compras", "manager", "procurement", ("procurement",)),
    ("Jefa de Almacén", "manager", "operations", ("influencer",)),
    ("Gerente de TI", "manager", "it", ("technical_evaluator",)),
    ("Responsable de Logística", "manager", "operations", ("influencer",)),
    ("Comprador", "practitioner", "procurement", ("procurement", "gatekeeper")),
    ("Analista de Operaciones", "practitioner", "operations", ("influencer", "user")),
    # Chinese
    ("总裁", "c_level", "executive", ("decision_maker", "economic_buyer")),
    ("总经理", "c_level", "executive", ("decision_maker", "economic_buyer")),
    ("首席执行官", "c_level", "executive", ("decision_maker", "economic_buyer")),
    ("首席财务官", "c_level", "finance", ("economic_buyer",)),
    ("副总裁", "vp", "executive", ("decision_maker",)),
    ("副总经理", "vp", "executive", ("decision_maker",)),
    ("物流总监", "director", "operations", ("champion",)),
    ("财务总监", "director", "finance", ("economic_buyer",)),
    ("信息技术总监", "director", "it", ("technical_evaluator",)),
    ("采购经理", "manager", "procurement", ("procurement",)),
    ("IT经理", "manager", "it", ("technical_evaluator",)),
    ("供应链经理", "manager", "operations", ("influencer",)),
    ("仓库主管", "manager", "operations", ("influencer",)),
    ("采购专员", "practitioner", "procurement", ("procurement", "gatekeeper")),
    ("软件工程师", "practitioner", "engineering", ("technical_evaluator",)),
    ("总经理助理", "practitioner", "executive", ("gatekeeper",)),
]


@pytest.mark.parametrize(("title", "seniority", "department", "roles"), TITLES, ids=[t[0] for t in TITLES])
def test_it_reads_seniority_department_and_roles(title, seniority, department, roles):
    result = infer_title(title)

    assert result.matched
    assert (result.seniority, result.department, result.roles) == (seniority, department, roles)


def test_the_reason_names_the_rule_that_decided():
    result = infer_title("Head of Logistics")

    assert result.reasons[0] == "'Head of Logistics' → Director/Head (rule: 'head of')"
    assert result.reasons[1] == "'Head of Logistics' → department Operations, logistics & supply chain (rule: 'logistics')"
    assert "Champion candidate" in result.reasons[2]


def test_every_role_has_a_reason():
    result = infer_title("Logistics Analyst")

    assert [s.role for s in result.role_suggestions] == list(result.roles)
    assert all(s.reason.startswith("'Logistics Analyst' → ") for s in result.role_suggestions)
    assert len(result.reasons) == 2 + len(result.roles)


def test_a_champion_is_only_a_lower_weight_candidate():
    result = infer_title("Director of Operations")

    assert result.roles == ("champion",)
    assert result.weight_of("champion") == CHAMPION_CANDIDATE_WEIGHT < DEFAULT_ROLE_WEIGHT
    assert result.weight_of("decision_maker") == 0.0


def test_unknown_title_matches_nothing():
    result = infer_title("Wizard of Light")

    assert result == infer_title("Wizard of Light")
    assert not result.matched
    assert (result.seniority, result.department, result.roles) == (None, None, ())
    assert result.reasons == (NO_RULE_MATCHED,)


@pytest.mark.parametrize("title", ["", "   ", "---"])
def test_empty_title_matches_nothing(title):
    result = infer_title(title)

    assert not result.matched
    assert result.reasons[0].startswith(NO_RULE_MATCHED)


def test_a_department_without_level_word_is_a_practitioner_by_default():
    result = infer_title("Logistics")

    assert result.seniority == "practitioner"
    assert "default" in result.reasons[0]


@pytest.mark.parametrize(("title", "seniority"), [
    ("Vice President", "vp"),              # not "president"
    ("Vice-Président Exploitation", "vp"),
    ("Product Owner", None),               # not "owner"
    ("Owner", "c_level"),
    ("Assistant to the CFO", "practitioner"),
    ("Working Student Logistics", "practitioner"),
    ("Account Manager", "practitioner"),   # DOMAIN.md §3.2 exception list
    ("Senior Account Manager", "practitioner"),
    ("Assistant Manager Warehouse", "manager"),
    ("Teamleiterin Disposition", "manager"),  # -leiterin, but a team lead
    ("Senior Vice President & General Manager", "c_level"),
    ("副总监", "director"),                 # deputy director, not 副总 (VP)
])
def test_seniority_exceptions(title, seniority):
    assert infer_title(title).seniority == seniority


@pytest.mark.parametrize(("title", "department"), [
    ("Sales Operations Manager", "sales"),      # a named function beats "operations"
    ("Marketing Operations Lead", "marketing"),
    ("Head of IT Operations", "it"),
    ("Head of IT Procurement", "procurement"),
    ("Sales Engineer", "sales"),
    ("Chief Operating Officer", "operations"),
    ("Responsable approvisionnement", "procurement"),
    ("Directeur chaîne d'approvisionnement", "operations"),
    ("Personal Assistant", None),               # English "personal" is not German HR
    ("Personalleiterin", "hr"),
    ("Geschäftsentwicklung", None),             # "entwicklung" only at the start of a word
])
def test_department_precedence(title, department):
    assert infer_title(title).department == department


def test_blocker_and_coach_are_never_inferred():
    for title, *_ in TITLES:
        roles = infer_title(title).roles
        assert "blocker" not in roles and "coach" not in roles
    assert all(r.value not in ("blocker", "coach") for r in BUILTIN_RULES)


@pytest.mark.parametrize("role", ["blocker", "coach"])
def test_a_rule_cannot_produce_a_rep_only_role(role):
    with pytest.raises(ValueError, match="set by reps only"):
        TitleRule(field="role", value=role, keywords=("skeptic",))


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"field": "color", "value": "x", "keywords": ("a",)}, "unknown rule field"),
    ({"field": "seniority", "value": "boss", "keywords": ("a",)}, "unknown seniority"),
    ({"field": "role", "value": "sponsor", "keywords": ("a",)}, "unknown buying-group role"),
    ({"field": "department", "value": "it", "keywords": ()}, "at least one non-empty keyword"),
    ({"field": "department", "value": "it", "keywords": ("a",), "match": "fuzzy"}, "unknown match mode"),
    ({"field": "department", "value": "it", "keywords": ("(",), "match": "regex"}, "invalid regular expression"),
])
def test_invalid_rules_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TitleRule(**kwargs)


def test_extra_rules_take_precedence_over_builtin_ones():
    plant_head = TitleRule(field="seniority", value="vp", keywords=("werkleiter",), language="de", priority=500)
    quality = TitleRule(field="department", value="operations", keywords=("quality",))

    result = infer_title("Werkleiter Quality", extra_rules=[plant_head, quality])

    assert result.seniority == "vp"
    assert result.department == "operations"
    assert result.roles == ("decision_maker",)
    assert result.reasons[0] == "'Werkleiter Quality' → VP (workspace rule: 'werkleiter')"
    assert infer_title("Werkleiter Quality").seniority == "director"


def test_among_extra_rules_lower_priority_wins():
    late = TitleRule(field="seniority", value="manager", keywords=("lead",), priority=20)
    early = TitleRule(field="seniority", value="director", keywords=("lead",), priority=10)

    assert infer_title("Lead Planner", extra_rules=[late, early]).seniority == "director"


def test_extra_role_rules_replace_builtin_role_suggestions():
    pinned = TitleRule(field="role", value="decision_maker", keywords=("werkleiter",), weight=0.9)

    result = infer_title("Werkleiter", extra_rules=[pinned])

    assert result.roles == ("decision_maker",)
    assert result.weight_of("decision_maker") == 0.9
    assert result.seniority == "director"  # seniority still read by the built-in rules


def test_extra_rule_can_teach_a_new_title():
    yard = TitleRule(field="department", value="operations", keywords=("yard",))

    before = infer_title("Yard Coordinator")
    after = infer_title("Yard Coordinator", extra_rules=[yard])

    assert (before.department, before.roles) == (None, ())
    assert (after.department, after.roles) == ("operations", ("user",))


def test_regex_rules_are_compiled_and_checked():
    rule = TitleRule(field="seniority", value="manager", keywords=(r"^leads? .* team$",), match="regex")

    assert infer_title("Leads the planning team", extra_rules=[rule]).seniority == "manager"


def test_extra_rules_must_be_rule_objects():
    with pytest.raises(TypeError):
        infer_title("CEO", extra_rules=[{"field": "seniority"}])


def test_buying_departments_change_the_role_suggestions():
    it_buys = infer_title("CIO", buying_departments=("it",))
    ops_buys = infer_title("CIO")

    assert it_buys.roles == ("decision_maker", "technical_evaluator")
    assert ops_buys.roles == ("technical_evaluator",)
    assert infer_title("Head of Logistics", buying_departments=("it",)).roles == ()
    assert infer_title("Marketing Manager", buying_departments=("marketing",)).roles == ("influencer",)
    assert infer_title("Marketing Manager").roles == ()


def test_labels_are_the_issue_vocabulary():
    assert SENIORITY_LABELS == {"c_level": "C-level", "vp": "VP", "director": "Director/Head",
                                "manager": "Manager", "practitioner": "Practitioner"}
    assert infer_title("Head of Logistics").seniority_label == "Director/Head"


@pytest.mark.parametrize(("raw", "normalised"), [
    ("Geschäftsführer", "geschaftsfuhrer"),
    ("Vice-Président", "vice president"),
    ("C.E.O.", "ceo"),
    ("Sr. Mgr., Supply-Chain", "sr mgr supply chain"),
    ("ＩＴ经理", "it经理"),
    ("Straße", "strasse"),
])
def test_titles_are_normalised_before_matching(raw, normalised):
    assert normalise_title(raw) == normalised


def test_inference_is_immutable():
    result = infer_title("CEO")

    with pytest.raises(AttributeError):
        result.seniority = "vp"
