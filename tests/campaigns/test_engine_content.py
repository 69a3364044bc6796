"""Content templates: the sandbox holds against the known escapes and resource bombs, undefined
variables fail with their line, DISC variants and A/B arms are picked as documented."""
import time as clock
import tracemalloc
from collections import Counter

import pytest

from campaigns.engine.content import (
    MAX_OUTPUT_CHARS, Preview, PreviewError, Rendered, TemplateError, ab_key, ab_variant, disc_variant, html_to_text,
    preview, render, sample_variables, split_subject, template_variables,
)

VARIABLES = {
    "account": {"name": "Acme GmbH", "industry": "Logistics", "employees": 1200,
                "score_reasons": ["+18 intent surge on 'warehouse automation'", "+12 webinar attendance"]},
    "person": {"first_name": "Anna", "last_name": "Weber", "title": None, "disc_style": "Di"},
    "insights": [{"text": "Opened a warehouse in Leipzig"}],
}


# --- rendering ---------------------------------------------------------------------------------

def test_subject_line_and_body():
    source = "Subject: Cut onboarding time at {{ account.name }}\n\nHi {{ person.first_name }},\nshort note."

    rendered = render(source, VARIABLES)

    assert rendered == Rendered("Cut onboarding time at Acme GmbH", "Hi Anna,\nshort note.", None, None)


def test_without_a_subject_line_the_whole_source_is_the_body():
    assert render("Call {{ person.first_name }} about {{ account.name }}", VARIABLES).subject is None


def test_a_subject_cannot_smuggle_header_lines():
    rendered = render("Subject: {{ evil }}\nbody", {"evil": "Hi\r\nBcc: all@example.com"})

    assert rendered.subject == "Hi Bcc: all@example.com" and "\n" not in rendered.subject


def test_split_subject_reports_the_lines_before_the_body():
    assert split_subject("Subject: x\n\nbody") == ("x", "body", 2)
    assert split_subject("subject:x\nbody") == ("x", "body", 1)
    assert split_subject("Dear x,\nSubject: not a header") == (None, "Dear x,\nSubject: not a header", 0)


def test_loops_conditions_filters_and_string_methods_work():
    source = ("{% for reason in account.score_reasons %}{{ loop.index }}. {{ reason|upper }}\n{% endfor %}"
              "{% if account.employees > 1000 %}{{ '{0} staff'.format(account.employees) }}{% endif %} "
              "{{ account.name.replace('GmbH', 'Group') }} {{ account.items()|list|length }} "
              "{{ person.title|default('there', true) }}")

    body = render(source, VARIABLES).body_text

    assert body == ("1. +18 INTENT SURGE ON 'WAREHOUSE AUTOMATION'\n2. +12 WEBINAR ATTENDANCE\n"
                    "1200 staff Acme Group 4 there")


def test_none_prints_as_nothing():
    assert render("[{{ person.title }}]", VARIABLES).body_text == "[]"


def test_html_bodies_are_autoescaped_and_get_a_text_part():
    variables = {"person": {"first_name": "<script>alert(1)</script>"}, "account": {"name": "Smith & Sons"}}
    source = ("Subject: For {{ account.name }}\n<p>Hi {{ person.first_name }},</p>"
              "<p>See <a href=\"https://example.com/x\">the plan</a> for {{ account.name }}.</p>")

    rendered = render(source, variables, html=True)

    assert "<script>" not in rendered.body_html and "&lt;script&gt;" in rendered.body_html
    assert "Smith &amp; Sons" in rendered.body_html
    assert rendered.subject == "For Smith & Sons"
    assert rendered.body_text == ("Hi <script>alert(1)</script>,\n\n"
                                  "See the plan (https://example.com/x) for Smith & Sons.")


def test_text_bodies_are_not_escaped():
    assert render("{{ account.name }}", {"account": {"name": "Smith & Sons"}}).body_text == "Smith & Sons"


def test_html_to_text_drops_scripts_and_styles():
    assert html_to_text("<style>p{}</style><ul><li>one</li><li>two</li></ul><script>x()</script>") == "- one\n\n- two"


# --- strict undefined, with the line -----------------------------------------------------------

@pytest.mark.parametrize("source,line,message", [
    ("Hello {{ persn.first_name }}", 1, "'persn' is undefined"),
    ("Subject: Hi\n\nHello\n{{ person.nickname }}", 4, "has no attribute 'nickname'"),
    ("Subject: Hi {{ nobody }}\nbody", 1, "'nobody' is undefined"),
    ("a\nb\n{% for r in account.score_reasons %}\n{{ r.missing }}\n{% endfor %}", 4, "has no attribute 'missing'"),
    ("Subject: x\n\nline 3\n{% if %}", 4, None),
    ("a\n{{ account.name ~ ghost }}", 2, "'ghost' is undefined"),
])
def test_undefined_names_and_syntax_errors_raise_with_their_line(source, line, message):
    with pytest.raises(TemplateError) as raised:
        render(source, VARIABLES)

    assert raised.value.line == line
    assert f"line {line}" in str(raised.value)
    if message:
        assert message in raised.value.message


# --- the sandbox -------------------------------------------------------------------------------

ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ ''.__class__.mro() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ joiner }}{{ namespace }}",
    "{{ self._TemplateReference__context }}",
    "{{ self }}",
    "{{ lipsum.__globals__ }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ range.__globals__ }}",
    "{{ config }}",
    "{{ config.items() }}",
    "{{ request }}",
    "{{ settings.SECRET_KEY }}",
    '{{ "%s"|format(account.__class__) }}',
    '{{ "{0.__class__}".format(account) }}',
    '{{ "{0.__class__.__init__.__globals__}".format(account) }}',
    "{{ '{x.__class__}'.format_map({'x': account}) }}",
    "{{ account|attr('__class__') }}",
    "{{ account['__class__'] }}",
    "{{ os.system('id') }}",
    "{{ open('/etc/passwd').read() }}",
    "{{ __builtins__ }}",
    "{% include '/etc/passwd' %}",
    "{% import 'x.html' as x %}",
    "{% extends 'base.html' %}",
    "{% from 'x' import y %}",
    "{{ account.clear() }}{{ account.update({'name': 'x'}) }}",
    "{{ account.score_reasons.append('x') }}",
    "{{ (1).to_bytes(8, 'big') }}",
    "{{ account.name.encode() }}",
    "{{ account.name.translate({65: 'x'}) }}",
]


@pytest.mark.parametrize("source", ESCAPES)
def test_known_sandbox_escapes_fail_with_a_template_error(source):
    with pytest.raises(TemplateError):
        render(source, VARIABLES)


def test_the_error_does_not_render_anything_half_way():
    with pytest.raises(TemplateError) as raised:
        render("Dear {{ person.first_name }}, {{ ''.__class__ }}", VARIABLES)

    assert raised.value.line == 1 and "__class__" in raised.value.message


@pytest.mark.parametrize("name", ["self", "config", "request", "settings", "not an identifier", 3])
def test_reserved_or_odd_variable_names_are_refused(name):
    with pytest.raises(TemplateError):
        render("x", {name: "value"})


BOMBS = [
    "{% for i in range(10**9) %}x{% endfor %}",
    "{% for i in range(1001) %}{% endfor %}",
    "{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}",
    "{% for a in range(100) %}{% for b in range(100) %}{% for c in range(100) %}{% endfor %}{% endfor %}{% endfor %}",
    "{{ 'x' * 10**8 }}",
    "{{ ['x'] * 10**8 }}",
    "{{ 10**10**10**10**10 }}",
    "{{ '%999999999s' % 1 }}",
    "{{ '%.999999999f' % 1 }}",
    "{{ '%s'|format(1) ~ '%999999999d'|format(1) }}",
    "{{ '{:>999999999}'.format(1) }}",
    "{{ '{:{w}}'.format(1, w=999999999) }}",
    "{{ ('x' * 100000)|replace('x', 'x' * 100000) }}",
    "{{ ('x' * 100000).replace('x', 'xxx') }}",
    "{{ 'x'|center(10**9) }}",
    "{{ 'x'.ljust(10**9) }}",
    "{{ ('x\n' * 100000)|indent(100) }}",
    "{{ ('x' * 1000)|list|join('y' * 1000) }}",
    "{% set a = 'x' * 100000 %}{% set b = a ~ a ~ a %}{{ b }}",
    "{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(40) }}",
    "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "{% for i in range(1000) %}{{ long }}{% endfor %}",
    "{% set b = 'a' * 199000 %}{{ ('{0}' * 1000).format(b) }}",
    "{% set b = 'a' * 199000 %}{{ ('%s' * 1000)|format(b) }}",
    "{% set l = range(1000)|list %}{% set m = [l] * 1000 %}{{ [m] * 1000 }}",
    "{% set l = range(1000)|list %}{% set m = [l] * 40 %}{{ [m, m, m, m, m, m, m, m, m, m] ~ '' }}",
    "{% set l = range(1000)|list %}{% set m = [l] * 40 %}{{ [m, m, m, m, m, m, m, m, m, m]|string }}",
    "{% set l = range(1000)|list %}{% set m = [l] * 40 %}{{ [m, m, m, m, m, m, m, m, m, m] }}",
]

# Refused before the value is built: checking its size afterwards would first allocate it
# (the format bomb made 199 MB; with '{0}' * 60000 it would be 12 GB).
BUILT_NEVER = BOMBS[-6:]


@pytest.mark.parametrize("source", BOMBS)
def test_resource_bombs_are_stopped_quickly(source):
    started = clock.perf_counter()

    with pytest.raises(TemplateError):
        render(source, {"long": "y" * 1000})

    assert clock.perf_counter() - started < 2


@pytest.mark.parametrize("source", BUILT_NEVER)
def test_big_values_are_refused_before_they_are_built(source):
    tracemalloc.start()
    try:
        with pytest.raises(TemplateError):
            render(source, {})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < 20_000_000


def test_filters_spend_the_budget_by_the_size_of_their_input():
    source = "{% set s = 'x' * 180000 %}{% for i in range(100) %}{{ (s|upper|lower|trim|upper|lower)|length }}{% endfor %}"

    with pytest.raises(TemplateError, match="loop iterations and calls"):
        render(source, {})
    assert render(source.replace("180000", "1000"), {}).body_text == "1000" * 100


def test_the_output_limit_is_checked_while_rendering():
    with pytest.raises(TemplateError, match=str(MAX_OUTPUT_CHARS)):
        render("{% for i in range(500) %}{{ long }}{% endfor %}", {"long": "y" * 1000})


def test_the_budget_is_per_render():
    source = "{% for i in range(500) %}{% for j in range(12) %}{% endfor %}{% endfor %}ok"  # ~7,000 units

    assert [render(source, {}).body_text for _ in range(3)] == ["ok", "ok", "ok"]


def test_the_limits_leave_room_for_real_templates():
    people = [{"name": f"Person {i}", "roles": ["user", "influencer"]} for i in range(200)]
    source = "{% for p in people %}{{ p.name }}: {{ p.roles|join(', ') }}\n{% endfor %}"

    assert render(source, {"people": people}).body_text.count("\n") == 200


# --- DISC variants -----------------------------------------------------------------------------

VARIANTS = {
    "D": "Subject: Cut onboarding 30 %\nD body for {{ person.first_name }}",
    "Di": "Subject: Di subject\nDi body",
    "i": "Subject: Idea after your talk\ni body",
    "SC": "Subject: Rollout plan with data\nSC body",
    "default": "Subject: Next steps\ndefault body",
}


@pytest.mark.parametrize("style,expected", [
    ("Di", "Di"), ("D", "D"), ("DC", "D"), ("iD", "i"), ("I", "i"), ("iS", "i"), ("SC", "SC"), ("S", "default"),
    ("CS", "default"), (None, "default"), ("", "default"),
])
def test_the_persons_style_picks_blend_then_primary_then_default(style, expected):
    assert disc_variant(VARIANTS, style) == expected
    assert render(VARIANTS, VARIABLES, variant=style).variant == expected


def test_the_chosen_variant_is_rendered():
    rendered = render(VARIANTS, VARIABLES, variant="DC")

    assert (rendered.subject, rendered.body_text) == ("Cut onboarding 30 %", "D body for Anna")


def test_without_a_fitting_variant_or_default_there_is_an_error():
    with pytest.raises(TemplateError, match="no variant"):
        render({"D": "x"}, VARIABLES, variant="S")


def test_unknown_variant_names_are_refused():
    with pytest.raises(TemplateError, match="Dominance"):
        render({"Dominance": "x", "default": "y"}, VARIABLES, variant="D")


def test_an_error_names_its_variant():
    with pytest.raises(TemplateError) as raised:
        render({"D": "ok", "S": "x\n{{ ghost }}"}, VARIABLES, variant="S")

    assert (raised.value.variant, raised.value.line) == ("S", 2)


# --- A/B ---------------------------------------------------------------------------------------

def test_the_same_person_always_gets_the_same_arm():
    key = ab_key(41, 3, 1007)

    assert key == "41:3:1007"
    assert {ab_variant(key, {"A": 50, "B": 50}) for _ in range(20)} == {ab_variant(key, {"B": 50, "A": 50})}


def test_arms_follow_the_split_within_tolerance():
    split = {"A": 50, "B": 30, "C": 20}

    counts = Counter(ab_variant(ab_key(9, 2, person), split) for person in range(10_000))

    for arm, share in split.items():
        expected = 10_000 * share / 100
        sigma = (10_000 * share / 100 * (1 - share / 100)) ** 0.5
        assert abs(counts[arm] - expected) < 4 * sigma, counts


def test_a_step_or_enrolment_change_reshuffles_independently():
    first = [ab_variant(ab_key(1, 1, p), {"A": 50, "B": 50}) for p in range(2_000)]
    second = [ab_variant(ab_key(1, 2, p), {"A": 50, "B": 50}) for p in range(2_000)]

    agreement = sum(a == b for a, b in zip(first, second)) / 2_000
    assert 0.45 < agreement < 0.55


def test_a_zero_share_arm_is_never_chosen():
    assert {ab_variant(str(k), {"A": 100, "B": 0}) for k in range(500)} == {"A"}


@pytest.mark.parametrize("split", [{"A": 50, "B": 40}, {"A": 60, "B": 50}, {"A": 110, "B": -10}, {"A": 50.0, "B": 50},
                                   {}, {"A": True, "B": 99}])
def test_a_split_must_be_whole_percentages_summing_to_100(split):
    with pytest.raises(ValueError):
        ab_variant("k", split)


# --- preview -----------------------------------------------------------------------------------

def test_preview_returns_errors_instead_of_raising():
    result = preview("Subject: Hi\n\nHello {{ person.nickname }}", VARIABLES)

    assert result.ok is False and result.rendered is None
    assert result.errors == (PreviewError("'dict object' has no attribute 'nickname'", 3, None),)


def test_preview_reports_errors_of_every_variant_and_renders_the_chosen_one():
    variants = {"D": "Subject: D\n{{ person.first_name }}", "S": "S\n{{ broken", "default": "{{ ghost }}"}

    result = preview(variants, VARIABLES, variant="Di")

    assert result.rendered == Rendered("D", "Anna", None, "D")
    assert [(e.variant, e.line) for e in result.errors] == [("S", 2), ("default", 1)]
    assert not result.ok


def test_preview_uses_sample_variables_when_none_are_given():
    result = preview("Subject: {{ account.name }}\nHi {{ person.first_name }} ({{ disc.style }}), "
                     "{{ scores.reasons[0] }}")

    assert result == Preview(True, Rendered(sample_variables()["account"]["name"],
                                            "Hi Anna (Di), +18 intent surge on 'warehouse automation'", None, None), ())


def test_preview_of_a_bad_variant_mapping_is_an_error_not_an_exception():
    assert preview({"X": "x"}, VARIABLES).errors[0].message.startswith("unknown DISC variant")


def test_template_variables_lists_what_a_template_needs():
    source = "Subject: {{ account.name }}\n{% for r in insights %}{{ r.text }}{% endfor %}{{ person.first_name }}"

    assert template_variables(source) == {"account", "insights", "person"}
