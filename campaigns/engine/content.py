"""Personalised content: Jinja2 templates in a hardened sandbox, DISC variants and A/B arms.

A template author cannot reach the server (DESIGN.md §4) and a send is never half-rendered:

* ``ImmutableSandboxedEnvironment`` with ``StrictUndefined`` — an unknown variable or key is an
  error (with its line) at preview time; ``None`` values print as an empty string.
* No files: no loader, and ``include`` / ``import`` / ``extends`` are refused when compiling.
  ``self`` (which would expose blocks and the template reference), ``request``, ``config`` and
  ``settings`` are refused by name. The only global is a small ``range`` (≤ 1,000 items);
  ``cycler``, ``joiner``, ``namespace``, ``lipsum`` and ``dict`` are gone.
* No attribute starting with ``_`` (so no ``__class__``, ``__mro__``, ``__globals__``,
  ``__subclasses__``), no ``mro``, no mutating methods; ``str.format`` and the ``format`` filter
  go through the sandbox's formatter. Calls are allowed only to macros, ``loop`` helpers, the
  template's ``range`` and an allowlist of read-only ``str`` / ``dict`` / ``list`` methods —
  variables are plain data, so nothing else needs calling.
* Resource limits, so one template cannot stall a worker: source ≤ 100,000 characters, output
  ≤ 200,000, any intermediate string or list ≤ 200,000 (checked *before* the amplifying
  operations ``*``, ``**``, ``%``, ``replace``, ``join``, ``center``, ``indent``, format widths),
  and 10,000 loop iterations plus calls per render.

Template source (one string per variant): an optional first line ``Subject: …`` (itself a
template, rendered without escaping, newlines folded to spaces), then the body; one blank line
right after the subject line is dropped. Line numbers in errors are those of the whole source.
With ``html=True`` the body is autoescaped and ``body_text`` is derived from the HTML.

DISC variants: a mapping style → source, keys from the 12-style circle (``D``, ``Di``, ``iD``,
``i``/``I``, ``iS``, ``Si``, ``S``, ``SC``, ``CS``, ``C``, ``CD``, ``DC``) and ``default``; the
person's style picks the exact blend, else its primary letter, else ``default``.

A/B: ``ab_variant(ab_key(enrolment_id, step_id, contact_id), {"A": 50, "B": 50})`` — a SHA-256
bucket 0–99 over the arms in sorted name order, so storage that reorders keys (PostgreSQL jsonb)
never moves a person to another arm.
"""
from __future__ import annotations

import contextvars
import hashlib
import math
import re
import string
import types
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache, wraps
from html.parser import HTMLParser
from typing import Any

from jinja2 import Environment, StrictUndefined, TemplateSyntaxError, meta, nodes
from jinja2.compiler import CodeGenerator
from jinja2.runtime import BlockReference, LoopContext, Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

MAX_SOURCE_CHARS = 100_000
MAX_OUTPUT_CHARS = 200_000
MAX_VALUE_LENGTH = 200_000      # any intermediate string / list
MAX_RANGE = 1_000
MAX_OPERATIONS = 10_000         # loop iterations + calls per render
MAX_FORMAT_WIDTH = 1_000        # widths / precisions in format specs
MAX_INT_BITS = 4_096

DEFAULT_VARIANT = "default"
DISC_VARIANTS = frozenset({"D", "Di", "iD", "i", "I", "iS", "Si", "S", "SC", "CS", "C", "CD", "DC"})
FORBIDDEN_NAMES = frozenset({"self", "request", "config", "settings"})

_SUBJECT = re.compile(r"subject:[ \t]?(.*)", re.IGNORECASE)
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_NUMBERS = re.compile(r"\d+")

_SAFE_METHODS: dict[type, frozenset[str]] = {
    str: frozenset({
        "capitalize", "casefold", "center", "count", "endswith", "find", "index", "isalnum", "isalpha",
        "isdigit", "islower", "isnumeric", "isspace", "istitle", "isupper", "join", "ljust", "lower", "lstrip",
        "partition", "removeprefix", "removesuffix", "replace", "rfind", "rindex", "rjust", "rpartition",
        "rsplit", "rstrip", "split", "splitlines", "startswith", "strip", "swapcase", "title", "upper", "zfill",
    }),
    dict: frozenset({"get", "items", "keys", "values"}),
    list: frozenset({"count", "index"}),
    tuple: frozenset({"count", "index"}),
}


class TemplateError(Exception):
    """A template that cannot be rendered: syntax, an undefined variable, a refused operation or
    a limit. ``line`` is the line in the template source (None when unknown)."""

    def __init__(self, message: str, line: int | None = None, variant: str | None = None) -> None:
        super().__init__(message, line)
        self.message = message
        self.line = line
        self.variant = variant

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        which = f"[{self.variant}] " if self.variant else ""
        return f"{which}{where}{self.message}"


class _Refused(SecurityError):
    """Raised from inside the sandbox when a limit or rule is hit."""


@dataclass(frozen=True)
class Rendered:
    subject: str | None
    body_text: str
    body_html: str | None = None
    variant: str | None = None


@dataclass(frozen=True)
class PreviewError:
    message: str
    line: int | None = None
    variant: str | None = None


@dataclass(frozen=True)
class Preview:
    """What the editor shows: the rendering of the selected variant, and every error of every
    variant (so a broken D variant shows up even when previewing for an S person)."""

    ok: bool
    rendered: Rendered | None
    errors: tuple[PreviewError, ...] = ()


# --- the sandbox -----------------------------------------------------------------------------

class _Budget:
    __slots__ = ("left",)

    def __init__(self) -> None:
        self.left = MAX_OPERATIONS

    def spend(self, units: int = 1) -> None:
        self.left -= units
        if self.left < 0:
            raise _Refused(f"the template does more than {MAX_OPERATIONS} loop iterations and calls")


# Per render (and per thread/task): the budget is set by ``_render_one`` around the iteration.
_budget: contextvars.ContextVar[_Budget] = contextvars.ContextVar("content_render_budget")


def _spend(units: int = 1) -> None:
    budget = _budget.get(None)
    if budget is None:
        raise _Refused("templates are rendered through campaigns.engine.content only")
    budget.spend(units)


def _weight(value: Any, cap: int = MAX_VALUE_LENGTH + 1) -> int:
    """An upper bound of the characters `value` prints as (nested lists and dicts counted
    through), computed without building it and cut off at `cap`: checks run it *before* an
    operation, so a value too big for a template is never made."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, (list, tuple, dict)):
        total = 2
        for item in (value.items() if isinstance(value, dict) else value):
            total += 2 + _weight(item, cap - total)
            if total >= cap:
                return cap
        return total
    if value is None or isinstance(value, (bool, int, float)):
        return len(repr(value))  # template numbers are capped at MAX_INT_BITS
    return 32  # a date or another small object: short when printed


def _check_weight(value: Any) -> Any:
    """Refuse a value whose printed form would pass the value limit, before it is printed."""
    if isinstance(value, (list, tuple, dict)) and _weight(value) > MAX_VALUE_LENGTH:
        raise _Refused(f"a value longer than {MAX_VALUE_LENGTH} characters when printed")
    return value


def _check_placeholders(fmt: str, marker: str, values: Any) -> None:
    """`fmt` with each `marker` ({ or %) replaced by the longest of `values`: refused when that
    could pass the value limit (a format string copies its arguments once per placeholder)."""
    longest = max((_weight(v) for v in values), default=0)
    if len(fmt) + fmt.count(marker) * longest > MAX_VALUE_LENGTH:
        raise _Refused(f"formatting would make a value longer than {MAX_VALUE_LENGTH} characters")


def _check_size(value: Any) -> Any:
    if isinstance(value, (str, list, tuple)) and len(value) > MAX_VALUE_LENGTH:
        raise _Refused(f"a value longer than {MAX_VALUE_LENGTH} characters or items")
    return value


def _check_number(value: Any) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_VALUE_LENGTH:
        raise _Refused(f"the number {value} is too large here")


def _check_percent_format(fmt: str) -> None:
    for match in _PERCENT_SPEC.finditer(fmt):
        for group in match.groups():
            if group and group != "*" and int(group) > MAX_FORMAT_WIDTH:
                raise _Refused(f"a format width above {MAX_FORMAT_WIDTH}")


def _check_brace_format(fmt: str, depth: int = 0) -> None:
    if depth > 2:
        raise _Refused("format specs nested too deeply")
    try:
        parsed = list(string.Formatter().parse(fmt))
    except ValueError as exc:
        raise _Refused(f"bad format string: {exc}") from None
    for _, _, spec, _ in parsed:
        if spec:
            if any(int(n) > MAX_FORMAT_WIDTH for n in _NUMBERS.findall(spec)):
                raise _Refused(f"a format width above {MAX_FORMAT_WIDTH}")
            _check_brace_format(spec, depth + 1)


def _check_replace(text: str, old: Any, new: Any, count: Any = -1) -> None:
    if isinstance(old, str) and isinstance(new, str):
        hits = text.count(old) if old else len(text) + 1
        if isinstance(count, int) and count >= 0:
            hits = min(hits, count)
        if len(text) + hits * (len(new) - len(old)) > MAX_VALUE_LENGTH:
            raise _Refused(f"replace would make a value longer than {MAX_VALUE_LENGTH} characters")


def _check_join(separator: Any, items: Any) -> None:
    if isinstance(items, (list, tuple)):
        total = sum(len(i) if isinstance(i, str) else 20 for i in items)
        total += len(str(separator)) * max(0, len(items) - 1)
        if total > MAX_VALUE_LENGTH:
            raise _Refused(f"join would make a value longer than {MAX_VALUE_LENGTH} characters")


def _safe_range(*args: int) -> range:
    for arg in args:
        _check_number(arg)
    rng = range(*args)
    if len(rng) > MAX_RANGE:
        raise _Refused(f"range() is limited to {MAX_RANGE} items in templates")
    return rng


def _guard_filter(name: str, func: Any) -> Any:
    """Wrap a built-in filter: check the amplifying arguments before, the size after. The
    wrapper keeps Jinja's pass_context / pass_eval_context marker (``wraps`` copies __dict__)."""

    @wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        plain = [a for a in args if not _is_jinja_internal(a)]
        # a filter works through its whole input: one unit, and one more per 10k characters
        _spend(1 + (_weight(plain[0]) // 10_000 if plain else 0))
        if plain:
            _check_weight(plain[0])   # `|string`, `|join` … print their input
        for value in [*plain[1:], *kwargs.values()]:
            _check_number(value)
        if name == "replace" and len(plain) >= 3:
            _check_replace(str(plain[0]), plain[1], plain[2], plain[3] if len(plain) > 3 else kwargs.get("count", -1))
        elif name == "join" and plain:
            items = plain[0] if isinstance(plain[0], (list, tuple)) else None
            _check_join(plain[1] if len(plain) > 1 else kwargs.get("d", ""), items)
        elif name == "format" and plain:
            _check_percent_format(str(plain[0]))
            _check_placeholders(str(plain[0]), "%", [*plain[1:], *kwargs.values()])
        elif name == "indent" and plain:
            width = plain[1] if len(plain) > 1 else kwargs.get("width", 4)
            size = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
            if size * (str(plain[0]).count("\n") + 1) > MAX_VALUE_LENGTH:
                raise _Refused("indent would make a value too long")
        return _check_size(func(*args, **kwargs))

    return guarded


def _is_jinja_internal(value: Any) -> bool:
    # pass_context / pass_eval_context / pass_environment filters receive these first.
    return isinstance(value, Environment) or type(value).__module__.startswith("jinja2.")


def _loop_guard(iterable: Any) -> Iterator[Any]:
    """Every ``{% for %}`` iterates through this (see ``_compile``): one budget unit per item."""
    for item in iterable:
        _spend()
        yield item


_loop_guard.abm_allowed = True  # type: ignore[attr-defined]


class _GuardedCodeGenerator(CodeGenerator):
    """String concatenation (``~``) cannot be intercepted by the sandbox; check its result."""

    def visit_Concat(self, node: nodes.Concat, frame: Any) -> None:
        # Jinja's own visit_Concat, with every operand weighed before it is turned into text
        # (`[[big]] ~ ""` would print a huge list) and the result checked after.
        if frame.eval_ctx.volatile:
            func_name = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            func_name = "markup_join"
        else:
            func_name = "str_join"
        self.write(f"environment.abm_checked({func_name}((")
        for arg in node.nodes:
            self.write("environment.abm_weighed(")
            self.visit(arg, frame)
            self.write("), ")
        self.write(")))")


class _Sandbox(ImmutableSandboxedEnvironment):
    code_generator_class = _GuardedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, *, html: bool) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=html, trim_blocks=True, lstrip_blocks=True,
                         finalize=_finalize, loader=None, cache_size=0)
        self.globals.clear()
        self.globals["range"] = _safe_range
        self.filters = {name: _guard_filter(name, func) for name, func in self.filters.items()}

    @staticmethod
    def abm_checked(value: Any) -> Any:
        return _check_size(value)

    @staticmethod
    def abm_weighed(value: Any) -> Any:
        return _check_weight(value)

    abm_loop = staticmethod(_loop_guard)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
            if right * math.log2(abs(left)) > MAX_INT_BITS:
                raise _Refused("a power too large for a template")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                # the printed size counts, not the length: [[big list]] * 1000 is one item, long
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and \
                        _weight(seq) * n > MAX_VALUE_LENGTH:
                    raise _Refused(f"a value longer than {MAX_VALUE_LENGTH} characters or items")
            both_ints = isinstance(left, int) and isinstance(right, int)
            if both_ints and left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise _Refused("a number too large for a template")
        if operator == "%" and isinstance(left, str):
            _check_percent_format(left)
            _check_placeholders(left, "%", right if isinstance(right, tuple) else [right])
        return _check_size(super().call_binop(context, operator, left, right))

    def wrap_str_format(self, value: Any) -> Any:
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        fmt = value.__self__

        def checked(*args: Any, **kwargs: Any) -> str:
            _check_brace_format(fmt)
            _check_placeholders(fmt, "{", [*args, *kwargs.values()])
            return _check_size(wrapper(*args, **kwargs))

        checked.abm_allowed = True  # type: ignore[attr-defined]
        return checked

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        _spend()
        if not _callable_in_template(__obj):
            raise _Refused(f"calling {getattr(__obj, '__name__', type(__obj).__name__)!r} is not allowed in templates")
        for value in [*args, *kwargs.values()]:
            _check_number(value)
        target = getattr(__obj, "__self__", None)
        name = getattr(__obj, "__name__", "")
        if isinstance(target, str) and name == "replace" and len(args) >= 2:
            _check_replace(target, args[0], args[1], args[2] if len(args) > 2 else kwargs.get("count", -1))
        if isinstance(target, str) and name == "join" and args:
            _check_join(target, list(args[0]) if isinstance(args[0], (list, tuple)) else None)
        return _check_size(super().call(__context, __obj, *args, **kwargs))


def _callable_in_template(obj: Any) -> bool:
    if obj is _safe_range or getattr(obj, "abm_allowed", False):
        return True
    if isinstance(obj, (Macro, LoopContext, BlockReference)):
        return True
    if isinstance(obj, (types.MethodType, types.BuiltinMethodType)):
        owner = obj.__self__
        if isinstance(owner, LoopContext):
            return True
        for kind, names in _SAFE_METHODS.items():
            if isinstance(owner, kind) and obj.__name__ in names:
                return True
    return False


def _finalize(value: Any) -> Any:
    """Every `{{ … }}` passes here before it is turned into text."""
    return "" if value is None else _check_weight(value)


@lru_cache(maxsize=2)
def _environment(html: bool) -> _Sandbox:
    return _Sandbox(html=html)


@lru_cache(maxsize=512)
def _compile(source: str, html: bool) -> Any:
    """Parse, refuse what templates may not do, guard every loop, compile. Cached: a campaign
    renders the same source for thousands of people."""
    env = _environment(html)
    try:
        tree = env.parse(source)
    except TemplateSyntaxError as exc:
        raise TemplateError(exc.message or "syntax error", exc.lineno) from None
    for node in tree.find_all((nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
        raise TemplateError("templates cannot include, import or extend other templates", node.lineno)
    for node in tree.find_all(nodes.Name):
        if node.name in FORBIDDEN_NAMES:
            raise TemplateError(f"'{node.name}' is not available in templates", node.lineno)
    for loop in tree.find_all(nodes.For):
        loop.iter = nodes.Call(nodes.EnvironmentAttribute("abm_loop", lineno=loop.lineno), [loop.iter], [], None, None,
                               lineno=loop.lineno)
    try:
        return env.from_string(tree)
    except TemplateSyntaxError as exc:
        raise TemplateError(exc.message or "syntax error", exc.lineno) from None


def _template_line(exc: BaseException) -> int | None:
    line = getattr(exc, "lineno", None)
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _render_one(source: str, variables: Mapping[str, Any], *, html: bool, line_offset: int) -> str:
    try:
        template = _compile(source, html)
    except TemplateError as exc:
        raise TemplateError(exc.message, exc.line + line_offset if exc.line else None) from None
    token = _budget.set(_Budget())
    parts: list[str] = []
    size = 0
    try:
        for chunk in template.generate(dict(variables)):
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise TemplateError(f"the output is longer than {MAX_OUTPUT_CHARS} characters")
            parts.append(chunk)
    except TemplateError:
        raise
    except RecursionError:
        raise TemplateError("the template calls itself too deeply") from None
    except MemoryError:
        raise TemplateError("the template needs too much memory") from None
    except Exception as exc:  # any failure inside the template is the author's to fix
        line = _template_line(exc)
        message = str(exc) or type(exc).__name__
        if isinstance(exc, SecurityError) and not isinstance(exc, _Refused):
            message = f"not allowed: {message}"
        raise TemplateError(message, line + line_offset if line else None) from None
    finally:
        _budget.reset(token)
    return "".join(parts)


# --- rendering -------------------------------------------------------------------------------

def split_subject(source: str) -> tuple[str | None, str, int]:
    """(subject source or None, body source, number of lines before the body)."""
    first, newline, rest = source.partition("\n")
    match = _SUBJECT.fullmatch(first.rstrip("\r"))
    if not match:
        return None, source, 0
    offset = 1
    if rest.startswith("\n") or rest.startswith("\r\n"):
        rest = rest.split("\n", 1)[1]
        offset = 2
    return match.group(1), rest, offset


def render(template_source: str | Mapping[str, str], variables: Mapping[str, Any], *,
           variant: str | None = None, html: bool = False) -> Rendered:
    """Render a template (or the DISC variant for style ``variant`` from a mapping of variants).
    Raises TemplateError; nothing half-rendered ever comes back."""
    chosen, source = _pick(template_source, variant)
    try:
        return _render_source(source, variables, html=html, variant=chosen)
    except TemplateError as exc:
        raise TemplateError(exc.message, exc.line, chosen) from None


def _render_source(source: str, variables: Mapping[str, Any], *, html: bool, variant: str | None) -> Rendered:
    if not isinstance(source, str):
        raise TemplateError("a template source must be text")
    if len(source) > MAX_SOURCE_CHARS:
        raise TemplateError(f"the template is longer than {MAX_SOURCE_CHARS} characters")
    for name in variables:
        if not isinstance(name, str) or not name.isidentifier() or name in FORBIDDEN_NAMES:
            raise TemplateError(f"{name!r} cannot be a template variable")
    subject_source, body_source, offset = split_subject(source)
    subject = None
    if subject_source is not None:
        subject = " ".join(_render_one(subject_source, variables, html=False, line_offset=0).split())
    body = _render_one(body_source, variables, html=html, line_offset=offset)
    if html:
        return Rendered(subject, html_to_text(body), body, variant)
    return Rendered(subject, body, None, variant)


def preview(template_source: str | Mapping[str, str], variables: Mapping[str, Any] | None = None, *,
            variant: str | None = None, html: bool = False) -> Preview:
    """Render for the editor: never raises for a bad template. ``variables`` None → SAMPLE_VARIABLES.
    Every DISC variant is rendered so each one's errors are reported."""
    variables = sample_variables() if variables is None else variables
    errors: list[PreviewError] = []
    try:
        chosen, _ = _pick(template_source, variant)
    except TemplateError as exc:
        return Preview(False, None, (PreviewError(exc.message, exc.line, exc.variant),))
    sources = dict(template_source) if isinstance(template_source, Mapping) else {None: template_source}
    rendered = None
    for key, source in sources.items():
        try:
            result = _render_source(source, variables, html=html, variant=key)
        except TemplateError as exc:
            errors.append(PreviewError(exc.message, exc.line, key))
            continue
        if key == chosen:
            rendered = result
    return Preview(not errors, rendered, tuple(errors))


def template_variables(template_source: str) -> set[str]:
    """The top-level variable names a template uses (for the editor's variable list)."""
    env = _environment(False)
    subject, body, _ = split_subject(template_source)
    names: set[str] = set()
    for part in (subject, body):
        if part is None:
            continue
        try:
            names |= meta.find_undeclared_variables(env.parse(part))
        except TemplateSyntaxError as exc:
            raise TemplateError(exc.message or "syntax error", exc.lineno) from None
    return names - set(env.globals)


# --- DISC variants ---------------------------------------------------------------------------

def disc_variant(available: Iterable[str], style: str | None) -> str | None:
    """The variant for a DISC style: the exact blend ("Di" ≠ "iD"), else the primary letter
    (either case: "I" or "i"), else ``default``; None when nothing fits."""
    keys = list(available)
    if style:
        if style in keys:
            return style
        primary = style[0].upper()
        for key in keys:
            if len(key) == 1 and key.upper() == primary:
                return key
    return DEFAULT_VARIANT if DEFAULT_VARIANT in keys else None


def _pick(template_source: str | Mapping[str, str], style: str | None) -> tuple[str | None, str]:
    if isinstance(template_source, str):
        return None, template_source
    unknown = sorted(k for k in template_source if k not in DISC_VARIANTS and k != DEFAULT_VARIANT)
    if unknown:
        raise TemplateError(f"unknown DISC variant(s): {', '.join(map(str, unknown))}; "
                            f"use a style of the 12-style circle or '{DEFAULT_VARIANT}'")
    chosen = disc_variant(template_source, style)
    if chosen is None:
        raise TemplateError(f"no variant for DISC style {style!r} and no '{DEFAULT_VARIANT}' variant")
    return chosen, template_source[chosen]


# --- A/B arms --------------------------------------------------------------------------------

def ab_key(enrolment_id: Any, step_id: Any, contact_id: Any) -> str:
    return f"{enrolment_id}:{step_id}:{contact_id}"


def ab_variant(key: str, split: Mapping[str, int]) -> str:
    """The arm for ``key``: deterministic (SHA-256 → bucket 0–99), proportional to ``split``
    (whole percentages summing to 100), independent of the mapping's key order."""
    if not split:
        raise ValueError("an A/B split needs at least one arm")
    for arm, share in split.items():
        if not isinstance(share, int) or isinstance(share, bool) or share < 0:
            raise ValueError(f"arm {arm!r}: the share must be a whole percentage ≥ 0, got {share!r}")
    if sum(split.values()) != 100:
        raise ValueError(f"the A/B split must sum to 100, not {sum(split.values())}")
    bucket = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big") % 100
    upper = 0
    for arm in sorted(split):
        upper += split[arm]
        if bucket < upper:
            return arm
    raise AssertionError("unreachable: shares sum to 100")


# --- HTML → text -----------------------------------------------------------------------------

_BLOCK_TAGS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table",
                         "blockquote", "hr"})


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.links: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
            if tag == "li":
                self.parts.append("- ")
        elif tag == "a":
            self.links.append(dict(attrs).get("href"))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href and not href.startswith(("#", "mailto:")):
                self.parts.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_to_text(body_html: str) -> str:
    """A readable plain-text alternative of an HTML body (the text part of the e-mail)."""
    parser = _TextExtractor()
    parser.feed(body_html)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# --- sample data for previews ----------------------------------------------------------------

def sample_variables() -> dict[str, Any]:
    """Plain-data variables shaped like the service layer's (account, person, persona, DISC
    guidance, scores with reasons, insights, sender), for previews without a real person."""
    return {
        "account": {"name": "Northwind Logistics", "domain": "northwind.example", "industry": "Logistics",
                    "employees": 1200, "country": "DE", "tier": "Tier 1", "score": 82, "journey_stage": "engaged",
                    "score_reasons": ["+18 intent surge on 'warehouse automation'",
                                      "+12 three contacts attended the webinar", "−10 no decision maker known"]},
        "person": {"first_name": "Anna", "last_name": "Weber", "full_name": "Anna Weber",
                   "title": "Head of Operations", "email": "anna.weber@northwind.example", "seniority": "director",
                   "roles": ["decision_maker"], "disc_style": "Di"},
        "persona": {"name": "Operations leader", "pains": ["manual warehouse planning"],
                    "goals": ["cut onboarding time"]},
        "disc": {"style": "Di", "primary": "D", "subject": "outcome + number, ≤ 6 words",
                 "length": "≤ 3 sentences", "tone": "confident, direct", "cta": "two options to choose from",
                 "avoid": "rambling, details first"},
        "scores": {"fit": 90, "intent": 75, "engagement": 64, "combined": 82,
                   "reasons": ["+18 intent surge on 'warehouse automation'"]},
        "insights": [{"kind": "trigger_event", "text": "Opened a second warehouse in Leipzig"}],
        "sender": {"name": "Sam Rivera", "title": "Account Executive", "company": "Our Company"},
    }
