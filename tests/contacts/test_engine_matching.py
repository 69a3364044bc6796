"""The lead-to-account matching engine (contacts.matching): pure, no database.

The standing cast of accounts:
  1 Siemens AG (DE; siemens.com, siemens.de) — parent of 2 and 3
  2 Siemens Ltd. (GB; siemens.co.uk, also listed by no one else) — same normalised name as 1
  3 Siemens Healthineers AG (DE; siemens-healthineers.com)
  4 International Business Machines Corp. (US; ibm.com), alias "Big Blue"
  5 Nordwind Logistik GmbH & Co. KG (DE; nordwind-logistik.de, nordwind-logistik.fr)
  6 华为技术有限公司 (CN; huawei.com), alias "Huawei Technologies"
  7 ソニー株式会社 (JP; sony.co.jp)
  8 Société Générale S.A. (FR; societegenerale.fr)
  9 Joe's Bakery (US) — a dirty CRM record whose "domain" is gmail.com
 10 Acme Ltd (GB; acme.co.uk)      11 Acme Inc (US; acme.com) — unrelated, same name
 12 Global Solutions Ltd (GB; global-solutions.co.uk) and 13–40: many "Global …"/"… Solutions"
 41 Brand Holding SE (DE; brand.com) — parent of 42, which owns uk.brand.com
 42 Brand UK Ltd (GB; uk.brand.com)
 43 Müller Maschinenbau GmbH (DE; mueller-maschinenbau.de)
"""
import pytest

from contacts.matching import (
    AccountIndex,
    AccountRecord,
    Lead,
    MatchResult,
    Thresholds,
    company_key,
    is_disposable,
    is_free_mail,
    match,
    match_many,
    normalise_company,
)
from contacts.matching.normalise import host_chain, host_of, mailbox_kind, registrable_domain

CAST = [
    AccountRecord(1, "Siemens AG", ("siemens.com", "siemens.de"), country="DE"),
    AccountRecord(2, "Siemens Ltd.", ("siemens.co.uk",), country="GB", parent_id=1),
    AccountRecord(3, "Siemens Healthineers AG", ("siemens-healthineers.com",), country="DE", parent_id=1),
    AccountRecord(4, "International Business Machines Corp.", ("ibm.com",), aliases=("Big Blue",), country="US"),
    AccountRecord(5, "Nordwind Logistik GmbH & Co. KG", ("nordwind-logistik.de", "nordwind-logistik.fr"), country="DE"),
    AccountRecord(6, "华为技术有限公司", ("huawei.com",), aliases=("Huawei Technologies",), country="CN"),
    AccountRecord(7, "ソニー株式会社", ("sony.co.jp",), country="JP"),
    AccountRecord(8, "Société Générale S.A.", ("societegenerale.fr",), country="FR"),
    AccountRecord(9, "Joe's Bakery", ("gmail.com",), country="US"),
    AccountRecord(10, "Acme Ltd", ("acme.co.uk",), country="GB"),
    AccountRecord(11, "Acme Inc", ("acme.com",), country="US"),
    AccountRecord(12, "Global Solutions Ltd", ("global-solutions.co.uk",), country="GB"),
    *[AccountRecord(13 + i, f"Global {w}", (f"global-{w.lower()}{i}.com",), country="US")
      for i, w in enumerate(["Logistics", "Systems", "Partners", "Ventures", "Networks", "Resources", "Trading",
                             "Services", "Engineering", "Consulting", "Capital", "Foods", "Media", "Labs"])],
    *[AccountRecord(27 + i, f"{w} Solutions", (f"{w.lower()}-solutions{i}.com",), country="US")
      for i, w in enumerate(["Smart", "Prime", "United", "First", "Advanced", "Modern", "Digital", "Royal",
                             "Golden", "Central", "Pacific", "Atlantic", "Allied", "Nordic"])],
    AccountRecord(41, "Brand Holding SE", ("brand.com",), country="DE"),
    AccountRecord(42, "Brand UK Ltd", ("uk.brand.com",), country="GB", parent_id=41),
    AccountRecord(43, "Müller Maschinenbau GmbH", ("mueller-maschinenbau.de",), country="DE"),
]


@pytest.fixture(scope="module")
def index():
    return AccountIndex.build(CAST)


def lead(**fields) -> Lead:
    return Lead(lead_id=fields.pop("lead_id", "L1"), **fields)


# --- free-mail and disposable domains -------------------------------------------------------

FREE_MAIL = ["gmail.com", "googlemail.com", "outlook.com", "hotmail.co.uk", "live.com", "yahoo.com", "yahoo.co.jp",
             "qq.com", "163.com", "126.com", "vip.163.com", "web.de", "gmx.de", "t-online.de", "naver.com",
             "daum.net", "mail.ru", "yandex.ru", "icloud.com", "proton.me", "orange.fr", "libero.it", "wp.pl"]


@pytest.mark.parametrize("domain", FREE_MAIL)
def test_free_mail_providers_are_recognised_from_the_package(domain):
    assert is_free_mail(domain)
    assert is_free_mail(f"someone@{domain}")
    assert not is_disposable(domain)
    assert mailbox_kind(domain) == "free"


@pytest.mark.parametrize("domain", FREE_MAIL)
def test_a_free_mail_lead_never_matches_by_domain(index, domain):
    # Joe's Bakery lists gmail.com as its domain: still no free-mail lead may match by domain.
    result = match(lead(email=f"jane.doe@{domain}"), index)

    assert result.decision == "none"
    assert result.account_id is None
    assert result.method == "none"
    assert any("free-mail domain: domain not used" in r for r in result.reasons)


@pytest.mark.parametrize("domain", ["mailinator.com", "yopmail.com", "guerrillamail.com", "10minutemail.com"])
def test_disposable_domains_are_checked_first_and_never_match(index, domain):
    assert is_disposable(domain)
    assert not is_free_mail(domain)  # some are in the free-mail list too: disposable wins

    result = match(lead(email=f"x@{domain}"), index)

    assert result.decision == "none"
    assert any("disposable e-mail domain" in r for r in result.reasons)


def test_an_account_listing_a_free_mail_domain_is_ignored_for_that_domain(index):
    assert (9, "gmail.com", "free-mail domain") in index.ignored_domains
    assert index.accounts_for_host("gmail.com") == ((), "")


def test_corporate_domains_are_not_free_mail():
    for domain in ["siemens.com", "ibm.com", "huawei.com", "mail.brand.de"]:
        assert mailbox_kind(domain) == "corporate"
        assert not is_free_mail(domain) and not is_disposable(domain)


# --- domains: subdomains, country variants, subsidiaries --------------------------------------

def test_domains_are_normalised_with_the_public_suffix_list():
    assert host_of("Jane.Doe@Mail.Siemens.CO.UK") == "mail.siemens.co.uk"
    assert host_of("https://www.siemens.de:443/de/products?x=1") == "siemens.de"
    assert host_chain("mail.uk.brand.co.uk") == ("mail.uk.brand.co.uk", "uk.brand.co.uk", "brand.co.uk")
    assert registrable_domain("x@vip.163.com") == "163.com"
    assert registrable_domain("jane@müller.de") == "xn--mller-kva.de"
    assert host_of("not an address") == ""


def test_a_subdomain_of_an_account_domain_matches(index):
    result = match(lead(email="jane@mail.siemens.de", company="Siemens"), index)

    assert (result.account_id, result.decision, result.method) == (1, "auto", "email_domain")
    assert result.confidence >= 0.97
    assert "e-mail domain mail.siemens.de is a domain of Siemens AG (siemens.de)" in result.reasons


def test_every_listed_country_variant_matches(index):
    for domain in ["nordwind-logistik.de", "nordwind-logistik.fr"]:
        result = match(lead(email=f"a@{domain}"), index)
        assert (result.account_id, result.decision) == (5, "auto")


def test_an_unlisted_country_variant_is_only_evidence(index):
    alone = match(lead(email="a@nordwind-logistik.es"), index)
    with_name = match(lead(email="a@nordwind-logistik.es", company="Nordwind Logistik"), index)

    assert (alone.account_id, alone.decision, alone.method) == (5, "review", "domain_variant")
    assert (with_name.account_id, with_name.decision) == (5, "auto")
    assert any("variant of Nordwind Logistik GmbH & Co. KG's domains" in r for r in with_name.reasons)


def test_the_subsidiarys_own_domain_wins_over_its_parents():
    # The parent's CRM record lists the subsidiary's domain too.
    index = AccountIndex.build([
        AccountRecord(1, "Siemens AG", ("siemens.com", "siemens.co.uk"), country="DE"),
        AccountRecord(2, "Siemens Ltd.", ("siemens.co.uk",), country="GB", parent_id=1),
    ])

    result = match(lead(email="bob@siemens.co.uk", company="Siemens AG"), index)

    assert (result.account_id, result.decision) == (2, "auto")
    assert index.accounts_for_host("siemens.co.uk") == ((2,), "siemens.co.uk")


def test_a_subsidiary_owning_a_subdomain_of_its_parents_domain_wins(index):
    child = match(lead(email="amy@uk.brand.com"), index)
    deeper = match(lead(email="amy@mail.uk.brand.com"), index)
    parent = match(lead(email="amy@brand.com"), index)

    assert (child.account_id, deeper.account_id, parent.account_id) == (42, 42, 41)


def test_on_the_parents_domain_a_company_naming_a_subsidiary_links_the_subsidiary(index):
    result = match(lead(email="eva@siemens.com", company="Siemens Healthineers"), index)

    assert (result.account_id, result.decision) == (3, "auto")
    assert any("a subsidiary of Siemens AG: linked to the subsidiary" in r for r in result.reasons)


def test_unrelated_accounts_listing_one_domain_go_to_review():
    index = AccountIndex.build([AccountRecord(1, "Alpha GmbH", ("shared.de",)), AccountRecord(2, "Beta AG", ("shared.de",))])

    result = match(lead(email="x@shared.de"), index)

    assert result.decision == "review"
    assert {a for a, _ in result.candidates} == {1, 2}


def test_a_website_on_an_account_domain_matches(index):
    result = match(lead(website="https://www.ibm.com/de-de/about", company="IBM Deutschland"), index)

    assert (result.account_id, result.decision, result.method) == (4, "auto", "website_domain")


def test_corporate_domain_with_a_company_of_another_account_trusts_the_domain_with_lower_confidence(index):
    consistent = match(lead(email="ann@acme.com", company="Acme Inc"), index)
    conflict = match(lead(email="ann@acme.com", company="Société Générale"), index)
    strict = match(lead(email="ann@acme.com", company="Société Générale"), index, Thresholds(auto=0.95))

    assert conflict.account_id == consistent.account_id == 11
    assert conflict.confidence <= consistent.confidence - 0.05
    assert 8 in {a for a, _ in conflict.candidates}
    assert any("is the name of Société Générale S.A. (FR) but the domain belongs to Acme Inc: trusting the domain, "
               "lower confidence" in r for r in conflict.reasons)
    assert (strict.account_id, strict.decision) == (11, "review")


# --- company names ----------------------------------------------------------------------------

@pytest.mark.parametrize("name, key", [
    ("Siemens AG", "siemens"), ("Siemens Inc.", "siemens"), ("SIEMENS Ltd", "siemens"), ("Siemens GmbH", "siemens"),
    ("Siemens S.A.", "siemens"), ("Siemens SA", "siemens"), ("Siemens K.K.", "siemens"), ("Siemens B.V.", "siemens"),
    ("Siemens S.p.A.", "siemens"), ("Siemens Sp. z o.o.", "siemens"), ("Siemens A/S", "siemens"),
    ("Siemens Oy", "siemens"), ("Siemens AB", "siemens"), ("Siemens Pty Ltd", "siemens"), ("Siemens LLC", "siemens"),
    ("Siemens Co., Ltd.", "siemens"), ("Siemens Co Ltd", "siemens"), ("Siemens Pvt. Ltd.", "siemens"),
    ("Siemens Private Limited", "siemens"), ("Siemens GmbH & Co. KG", "siemens"), ("Siemens AG & Co. KGaA", "siemens"),
    ("Siemens S.A. de C.V.", "siemens"), ("Siemens Ltda.", "siemens"), ("Siemens plc", "siemens"),
    ("Siemens SE", "siemens"), ("Siemens Kabushiki Kaisha", "siemens"), ("Kabushiki Kaisha Siemens", "siemens"),
    ("KK Siemens", "siemens"), ("PT Siemens Tbk", "siemens"), ("OOO Siemens", "siemens"), ("The Siemens Company", "siemens"),
    ("Siemens Ltd (UK)", "siemensuk"),
])
def test_legal_forms_in_many_languages_are_stripped(name, key):
    assert normalise_company(name).key == key


@pytest.mark.parametrize("name, key", [
    ("华为技术有限公司", "华为技术"), ("华为技术股份有限公司", "华为技术"), ("華為技術有限公司", "華為技術"),
    ("ソニー株式会社", "ソニー"), ("株式会社ソニー", "ソニー"), ("（株）ソニー", "ソニー"), ("㈱ソニー", "ソニー"),
    ("グーグル合同会社", "グーグル"), ("삼성전자 주식회사", "삼성전자"), ("(주)삼성전자", "삼성전자"),
    ("ООО Ромашка", "ромашка"),
])
def test_non_latin_names_and_their_legal_forms(name, key):
    assert normalise_company(name).key == key


def test_case_accents_punctuation_ampersand_and_the_are_normalised():
    assert company_key("Société Générale S.A.") == company_key("SOCIETE GENERALE") == "societegenerale"
    assert company_key("Müller Maschinenbau") == company_key("Mueller Maschinenbau") == company_key("Muller Maschinenbau")
    assert company_key("The Coca-Cola Company") == company_key("Coca Cola") == company_key("CocaCola")
    assert company_key("Procter & Gamble Co.") == company_key("Procter and Gamble")
    assert company_key("Ålborg Øst A/S") == "alborgost"


def test_acronyms_of_multiword_names():
    assert normalise_company("International Business Machines Corp.").acronym == "ibm"
    assert normalise_company("Banco Bilbao Vizcaya Argentaria, S.A.").acronym == "bbva"
    assert normalise_company("Siemens AG").acronym == ""


def test_placeholders_are_no_company_but_a_real_name_with_a_legal_form_is():
    for placeholder in ["n/a", "Self-employed", "Student", "-", "none", "Freelancer"]:
        assert not normalise_company(placeholder)
    assert normalise_company("Unknown Corp").key == "unknown"


def test_a_free_mail_lead_with_an_exact_unambiguous_name_is_linked(index):
    result = match(lead(email="li@qq.com", company="华为技术股份有限公司", country="CN"), index)

    assert (result.account_id, result.decision, result.method) == (6, "auto", "exact_name")
    assert result.confidence >= 0.9
    assert "qq.com is a free-mail domain: domain not used" in result.reasons
    assert "country CN matches" in result.reasons


def test_japanese_names_match_across_legal_form_positions(index):
    result = match(lead(email="k@yahoo.co.jp", company="株式会社ソニー", country="JP"), index)

    assert (result.account_id, result.decision) == (7, "auto")


def test_accents_and_legal_forms_do_not_prevent_an_exact_match(index):
    result = match(lead(email="p@orange.fr", company="SOCIETE GENERALE", country="FR"), index)

    assert (result.account_id, result.decision, result.method) == (8, "auto", "exact_name")


def test_an_acronym_goes_to_review_never_auto(index):
    result = match(lead(email="x@gmail.com", company="IBM", country="US"), index)

    assert (result.account_id, result.decision, result.method) == (4, "review", "acronym")
    assert any("acronym" in r for r in result.reasons)


def test_an_alias_counts_like_an_exact_name(index):
    result = match(lead(email="x@gmail.com", company="Big Blue", country="US"), index)

    assert (result.account_id, result.decision, result.method) == (4, "auto", "alias")
    assert any("is the alias 'Big Blue'" in r for r in result.reasons)


def test_a_learned_alias_turns_a_review_into_a_direct_match():
    records = [AccountRecord(1, "Deutsche Telekom AG", ("telekom.de",), country="DE"),
               AccountRecord(2, "Vodafone GmbH", ("vodafone.de",), country="DE")]
    typed = lead(email="x@web.de", company="T-Systems Magenta", country="DE")
    before = match(typed, AccountIndex.build(records))

    records[0] = AccountRecord(1, "Deutsche Telekom AG", ("telekom.de",), aliases=("T-Systems Magenta",), country="DE")
    after = match(typed, AccountIndex.build(records))

    assert before.decision == "none"
    assert (after.account_id, after.decision, after.method) == (1, "auto", "alias")


def test_a_typo_is_found_fuzzily_but_a_free_mail_lead_is_only_sent_to_review(index):
    result = match(lead(email="x@gmx.de", company="Nordwnd Logistik"), index)

    assert (result.account_id, result.decision, result.method) == (5, "review", "fuzzy_name")
    assert any("≈ 'Nordwind Logistik GmbH & Co. KG' (9" in r for r in result.reasons)


def test_an_uncorroborated_fuzzy_name_is_never_auto_linked_whatever_the_thresholds(index):
    lax = Thresholds(auto=0.5, review=0.3)

    result = match(lead(email="x@gmx.de", company="Nordwnd Logistik"), index, lax)

    assert result.decision == "review"
    assert any("needs review" in r for r in result.reasons)


def test_a_near_exact_fuzzy_name_corroborated_by_the_country_is_auto_linked(index):
    result = match(lead(email="x@gmx.de", company="Nordwnd Logistik", country="DE"), index)

    assert (result.account_id, result.decision, result.method) == (5, "auto", "fuzzy_name")
    assert result.confidence >= 0.90
    assert any("near-exact name" in r and "country DE agrees" in r for r in result.reasons)
    # … but not above a stricter workspace threshold, and not when the country typed differs
    assert match(lead(email="x@gmx.de", company="Nordwnd Logistik", country="DE"), index,
                 Thresholds(auto=0.95)).decision == "review"
    assert match(lead(email="x@gmx.de", company="Nordwnd Logistik", country="FR"), index).decision == "review"


def test_a_fuzzy_name_with_another_legal_form_or_a_wider_typo_goes_to_review(index):
    other_legal = match(lead(email="x@gmx.de", company="Nordwnd Logistik Ltd", country="DE"), index)
    wider = match(lead(email="x@gmx.de", company="Nordwnd Logstk", country="DE"), index)

    assert (other_legal.account_id, other_legal.decision) == (5, "review")
    assert (wider.account_id, wider.decision) == (5, "review")


def test_an_exact_name_with_its_legal_form_outweighs_a_differing_country(index):
    with_legal = match(lead(email="x@gmail.com", company="Müller Maschinenbau GmbH", country="FR"), index)
    without = match(lead(email="x@gmail.com", company="Müller Maschinenbau", country="FR"), index)

    assert (with_legal.account_id, with_legal.decision) == (43, "auto")
    assert any("legal form typed" in r for r in with_legal.reasons)
    assert (without.account_id, without.decision) == (43, "review")


def test_a_common_name_is_never_auto_linked_by_name_alone(index):
    result = match(lead(email="x@gmail.com", company="Global Solutions", country="GB"), index)

    assert result.account_id == 12
    assert result.decision == "review"
    assert any("common name" in r for r in result.reasons)


def test_ambiguous_names_go_to_review_with_all_candidates(index):
    result = match(lead(email="x@gmail.com", company="Siemens"), index)

    assert result.decision == "review"
    assert result.account_id == 1  # the parent is proposed
    assert {1, 2} <= {a for a, _ in result.candidates}
    assert any("ambiguous" in r for r in result.reasons)


def test_the_country_breaks_a_tie_between_accounts_sharing_a_name(index):
    uk = match(lead(email="x@gmail.com", company="Acme", country="GB"), index)
    us = match(lead(email="x@gmail.com", company="ACME", country="US"), index)
    unknown = match(lead(email="x@gmail.com", company="Acme"), index)

    assert (uk.account_id, uk.decision) == (10, "auto")
    assert (us.account_id, us.decision) == (11, "auto")
    assert unknown.decision == "review" and {10, 11} <= {a for a, _ in unknown.candidates}


def test_country_agreement_raises_and_disagreement_lowers_confidence(index):
    agrees = match(lead(email="x@gmail.com", company="Société Générale", country="FR"), index)
    silent = match(lead(email="x@gmail.com", company="Société Générale"), index)
    differs = match(lead(email="x@gmail.com", company="Société Générale", country="BR"), index)

    assert agrees.confidence > silent.confidence > differs.confidence
    assert (agrees.decision, silent.decision, differs.decision) == ("auto", "auto", "review")
    assert "country BR differs from Société Générale S.A.'s FR" in differs.reasons


def test_country_disagreement_does_not_undo_a_domain_match(index):
    result = match(lead(email="x@ibm.com", company="IBM", country="DE"), index)

    assert (result.account_id, result.decision) == (4, "auto")
    assert "country DE differs from International Business Machines Corp.'s US" in result.reasons


def test_a_company_that_is_not_an_account_matches_nothing(index):
    for typed in [lead(email="x@gmail.com", company="Zyxwv Quantum Bakery"),
                  lead(email="x@some-startup.io", company="Some Startup"),
                  lead(email="x@gmail.com", company="n/a"),
                  lead()]:
        result = match(typed, index)
        assert (result.decision, result.account_id, result.method) == ("none", None, "none")
        assert result.reasons


# --- thresholds, reasons, bulk ------------------------------------------------------------------

def test_thresholds_are_configurable(index):
    typed = lead(email="x@gmail.com", company="Société Générale")  # exact name, no country: 0.93

    assert match(typed, index).decision == "auto"
    assert match(typed, index, Thresholds(auto=0.95, review=0.6)).decision == "review"
    assert match(typed, index, Thresholds(auto=0.99, review=0.95)).decision == "none"


def test_thresholds_must_be_ordered():
    with pytest.raises(ValueError):
        Thresholds(auto=0.5, review=0.6)
    with pytest.raises(ValueError):
        Thresholds(auto=1.2)


VARIED_LEADS = [
    lead(lead_id="a", email="jane@mail.siemens.de", company="Siemens"),
    lead(lead_id="b", email="jane@gmail.com", company="Siemens Ltd.", country="GB"),
    lead(lead_id="c", email="x@qq.com", company="华为技术股份有限公司"),
    lead(lead_id="d", email="x@gmx.de", company="Nordwnd Logistik", country="DE"),
    lead(lead_id="e", email="x@gmail.com", company="IBM"),
    lead(lead_id="f", email="x@acme.com", company="Siemens"),
    lead(lead_id="g", email="", company="Unknown Things"),
    lead(lead_id="h", email="x@mailinator.com", company="Big Blue"),
    lead(lead_id="i", website="www.nordwind-logistik.fr"),
    lead(lead_id="j", email="broken-address", company="Acme"),
    lead(lead_id="k", email="x@nordwind-logistik.es"),
    lead(lead_id="l", email="x@gmail.com", company="Global Solutions"),
    lead(lead_id="m", email="x@siemens.com", company="Siemens Healthineers"),
    lead(lead_id="n", email="x@gmail.com", company="Acme", country="Germany"),
    lead(lead_id="o", email="x@gmail.com", company="Mueller Maschinenbau", country="de"),
]


def test_every_result_has_readable_reasons_and_a_coherent_decision(index):
    thresholds = Thresholds()
    for typed in VARIED_LEADS:
        result = match(typed, index, thresholds)
        assert isinstance(result, MatchResult) and result.lead_id == typed.lead_id
        assert result.reasons, typed
        for reason in result.reasons:
            assert isinstance(reason, str) and reason.strip() and "None" not in reason and "<" not in reason
        assert 0.0 <= result.confidence <= 1.0
        assert result.decision in ("auto", "review", "none")
        if result.decision == "none":
            assert result.account_id is None and result.method == "none"
        else:
            assert result.account_id is not None and result.candidates[0][0] == result.account_id
            assert result.confidence >= thresholds.review
        if result.decision == "auto":
            assert result.confidence >= thresholds.auto


def test_match_many_gives_exactly_what_match_gives_for_every_lead(index):
    leads = VARIED_LEADS + [Lead(lead_id=f"dup{i}", email=t.email, company=t.company, website=t.website,
                                 country=t.country) for i, t in enumerate(VARIED_LEADS)]

    bulk = match_many(leads, index)

    assert bulk == [match(t, index) for t in leads]
    assert [r.lead_id for r in bulk] == [t.lead_id for t in leads]


def test_match_many_equals_match_on_a_generated_workload():
    # Many accounts sharing words and stems, many leads with typos: exercises blocking batches.
    stems = ["nord", "wind", "berg", "tal", "stein", "ko", "ra", "lin", "mar", "ex"]
    records, leads = [], []
    for i in range(1500):
        name = (stems[i % 10] + stems[(i // 10) % 10] + stems[(i // 100) % 10]).capitalize()
        records.append(AccountRecord(i + 1, f"{name} {['GmbH', 'Ltd', 'Inc', 'SA'][i % 4]}", (f"{name.lower()}{i}.com",),
                                     country=["DE", "GB", "US", "FR"][i % 4]))
        typo = name[:3] + name[4:] if i % 3 == 0 else name
        leads.append(Lead(lead_id=str(i), email=f"x@{['gmail.com', 'web.de', f'{name.lower()}{i}.com'][i % 3]}",
                          company=typo, country=["DE", "", "FR"][i % 3]))
    index = AccountIndex.build(records)

    assert match_many(leads, index) == [match(t, index) for t in leads]


def test_blocking_finds_a_typo_among_thousands_of_similar_names():
    stems = ["nord", "wind", "berg", "tal", "stein", "ko", "ra", "lin", "mar", "ex", "vik", "sol"]
    records = [AccountRecord(i + 1, (stems[i % 12] + stems[(i // 12) % 12] + stems[(i // 144) % 12]).capitalize()
                             + " Logistik GmbH") for i in range(1728)]
    index = AccountIndex.build(records)
    target = records[777]
    typo = target.name[:2] + target.name[3:]

    hits = index.fuzzy([normalise_company(typo)])[0]

    assert hits and hits[0].account_id == target.id
