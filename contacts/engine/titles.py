"""Read a job title: seniority, department and suggested buying-group roles, each with its reason.

DOMAIN.md §3.1 (roles and their typical title signals) and §3.2 (title → department, the
seniority rules and the department × seniority role suggestion table).

The rules are data (`TitleRule`), so a workspace admin can add their own; those are passed as
``extra_rules`` and always take precedence over the built-in ones. Matching runs on a
normalised title: case-folded, accents removed (``Geschäftsführer`` → ``geschaftsfuhrer``),
dotted acronyms joined (``C.E.O.`` → ``ceo``), punctuation turned into spaces.

How each field is decided:

- **seniority** and **department**: the first matching rule wins (extra rules first, then
  built-in ones; within each, lower ``priority`` first, then list order). A title that
  matched something but carries no seniority word is a Practitioner (DOMAIN.md §3.2 rule 4).
- **roles**: suggestions, never final (a person confirms or overrides them; ``blocker`` and
  ``coach`` are never inferred and rules cannot produce them). They come from
  1. the department × seniority table of DOMAIN.md §3.2 (`ROLE_MATRIX`), with the
     workspace's buying function(s) passed as ``buying_departments``, plus
  2. keyword rules (assistants → gatekeeper, analysts/consultants → influencer, …).
  If any *extra* role rule matches, its roles replace the built-in suggestions entirely, so
  an admin can pin the roles of a title.
  Each suggestion has a weight: 0.5 (the table's confidence in DOMAIN.md §3.2), but a
  champion is only a *candidate* (0.3): championship is a behaviour a rep sees, not a title.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Optional

# --- vocabulary --------------------------------------------------------------------------------

SENIORITY_C_LEVEL = "c_level"
SENIORITY_VP = "vp"
SENIORITY_DIRECTOR = "director"
SENIORITY_MANAGER = "manager"
SENIORITY_PRACTITIONER = "practitioner"
SENIORITIES = (SENIORITY_C_LEVEL, SENIORITY_VP, SENIORITY_DIRECTOR, SENIORITY_MANAGER, SENIORITY_PRACTITIONER)
SENIORITY_LABELS = {
    SENIORITY_C_LEVEL: "C-level",
    SENIORITY_VP: "VP",
    SENIORITY_DIRECTOR: "Director/Head",
    SENIORITY_MANAGER: "Manager",
    SENIORITY_PRACTITIONER: "Practitioner",
}

DEPT_EXECUTIVE = "executive"
DEPT_OPERATIONS = "operations"
DEPT_IT = "it"
DEPT_FINANCE = "finance"
DEPT_PROCUREMENT = "procurement"
DEPT_MARKETING = "marketing"
DEPT_SALES = "sales"
DEPT_HR = "hr"
DEPT_ENGINEERING = "engineering"
DEPT_CUSTOMER_SERVICE = "customer_service"
DEPT_LEGAL = "legal"
DEPARTMENTS = (DEPT_EXECUTIVE, DEPT_OPERATIONS, DEPT_IT, DEPT_FINANCE, DEPT_PROCUREMENT, DEPT_MARKETING,
               DEPT_SALES, DEPT_HR, DEPT_ENGINEERING, DEPT_CUSTOMER_SERVICE, DEPT_LEGAL)
DEPARTMENT_LABELS = {
    DEPT_EXECUTIVE: "Executive / general management",
    DEPT_OPERATIONS: "Operations, logistics & supply chain",
    DEPT_IT: "IT",
    DEPT_FINANCE: "Finance",
    DEPT_PROCUREMENT: "Procurement",
    DEPT_MARKETING: "Marketing",
    DEPT_SALES: "Sales",
    DEPT_HR: "HR",
    DEPT_ENGINEERING: "Engineering / R&D",
    DEPT_CUSTOMER_SERVICE: "Customer service",
    DEPT_LEGAL: "Legal",
}

# Buying-group role codes; the same strings as accounts.models.tiers.BuyingGroupRole (not
# imported: engines stay free of Django).
ROLE_DECISION_MAKER = "decision_maker"
ROLE_ECONOMIC_BUYER = "economic_buyer"
ROLE_CHAMPION = "champion"
ROLE_COACH = "coach"
ROLE_INFLUENCER = "influencer"
ROLE_USER = "user"
ROLE_TECHNICAL_EVALUATOR = "technical_evaluator"
ROLE_PROCUREMENT = "procurement"
ROLE_GATEKEEPER = "gatekeeper"
ROLE_BLOCKER = "blocker"
ROLES = (ROLE_DECISION_MAKER, ROLE_ECONOMIC_BUYER, ROLE_CHAMPION, ROLE_COACH, ROLE_INFLUENCER, ROLE_USER,
         ROLE_TECHNICAL_EVALUATOR, ROLE_PROCUREMENT, ROLE_GATEKEEPER, ROLE_BLOCKER)
ROLE_LABELS = {
    ROLE_DECISION_MAKER: "Decision maker",
    ROLE_ECONOMIC_BUYER: "Economic buyer",
    ROLE_CHAMPION: "Champion",
    ROLE_COACH: "Coach",
    ROLE_INFLUENCER: "Influencer",
    ROLE_USER: "User",
    ROLE_TECHNICAL_EVALUATOR: "Technical evaluator (IT)",
    ROLE_PROCUREMENT: "Procurement",
    ROLE_GATEKEEPER: "Gatekeeper",
    ROLE_BLOCKER: "Blocker",
}
# Only a rep who talked to the person can say they oppose us or coach us (DOMAIN.md §3.1).
ROLES_SET_BY_REPS_ONLY = frozenset({ROLE_BLOCKER, ROLE_COACH})

FIELD_SENIORITY = "seniority"
FIELD_DEPARTMENT = "department"
FIELD_ROLE = "role"
FIELDS = (FIELD_SENIORITY, FIELD_DEPARTMENT, FIELD_ROLE)

# How a keyword is looked for in the normalised title. "word" respects word boundaries (for
# Chinese, which has no spaces, it is effectively a substring search); "prefix"/"suffix"
# anchor only one side, for German compounds (Einkauf|sleiter, Abteilungs|leiter).
MATCH_WORD = "word"
MATCH_PREFIX = "prefix"
MATCH_SUFFIX = "suffix"
MATCH_SUBSTRING = "substring"
MATCH_REGEX = "regex"
MATCH_MODES = (MATCH_WORD, MATCH_PREFIX, MATCH_SUFFIX, MATCH_SUBSTRING, MATCH_REGEX)

DEFAULT_ROLE_WEIGHT = 0.5          # DOMAIN.md §3.2: default role suggestion, confidence 0.5
CHAMPION_CANDIDATE_WEIGHT = 0.3    # a title only makes someone a champion *candidate*
# The function that buys what the workspace sells; a workspace setting in practice.
DEFAULT_BUYING_DEPARTMENTS = (DEPT_OPERATIONS,)

NO_RULE_MATCHED = "no rule matched"

# Latin letters and digits delimit words; CJK characters do not (so "IT经理" contains "it").
_B = "a-z0-9"
_LATIN_EDGE = re.compile(f"[{_B}]")


# --- normalisation -----------------------------------------------------------------------------

_FOLD = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ı": "i"})
_DOTTED_ACRONYM = re.compile(r"(?<![a-z0-9])(?:[a-z]\.){2,}")
_NON_WORD = re.compile(r"[\W_]+")


def normalise_title(title: str) -> str:
    """Lower-case, accent-free, single-spaced form of a title, used for all matching."""
    text = unicodedata.normalize("NFKC", title or "").casefold().translate(_FOLD)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = _DOTTED_ACRONYM.sub(lambda m: m.group(0).replace(".", "") + " ", text)
    return _NON_WORD.sub(" ", text).strip()


def _keyword_regex(keyword: str, match: str) -> re.Pattern[str]:
    if match == MATCH_REGEX:
        return re.compile(keyword)
    text = normalise_title(keyword)
    # A boundary only matters at a Latin edge of the keyword: "经理" is found in "IT经理".
    left = f"(?<![{_B}])" if match in (MATCH_WORD, MATCH_PREFIX) and _LATIN_EDGE.match(text[0]) else ""
    right = f"(?![{_B}])" if match in (MATCH_WORD, MATCH_SUFFIX) and _LATIN_EDGE.match(text[-1]) else ""
    return re.compile(left + re.escape(text) + right)


# --- rules -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TitleRule:
    """One reading rule: if any keyword is in the title (and no ``exclude`` word is), set
    ``field`` to ``value``. Lower ``priority`` is tried first. ``weight`` is used for roles.

    Keywords are normalised like titles; a ``regex`` keyword is used as written and searched in
    the normalised title (lower-case, no accents, punctuation turned into single spaces)."""

    field: str
    value: str
    keywords: tuple[str, ...]
    language: str = "en"
    priority: int = 100
    match: str = MATCH_WORD
    exclude: tuple[str, ...] = ()
    weight: float = DEFAULT_ROLE_WEIGHT
    # (keyword as written, its normalised literal or "" for regexes, compiled pattern)
    _patterns: tuple[tuple[str, str, re.Pattern[str]], ...] = field(init=False, repr=False, compare=False)
    _excludes: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        keywords = (self.keywords,) if isinstance(self.keywords, str) else tuple(self.keywords)
        exclude = (self.exclude,) if isinstance(self.exclude, str) else tuple(self.exclude)
        object.__setattr__(self, "keywords", keywords)
        object.__setattr__(self, "exclude", exclude)
        if self.field not in FIELDS:
            raise ValueError(f"unknown rule field {self.field!r}; expected one of {', '.join(FIELDS)}")
        if self.field == FIELD_SENIORITY and self.value not in SENIORITIES:
            raise ValueError(f"unknown seniority {self.value!r}; expected one of {', '.join(SENIORITIES)}")
        if self.field == FIELD_ROLE:
            if self.value in ROLES_SET_BY_REPS_ONLY:
                raise ValueError(f"role {self.value!r} is set by reps only and cannot come from a title rule")
            if self.value not in ROLES:
                raise ValueError(f"unknown buying-group role {self.value!r}; expected one of {', '.join(ROLES)}")
        if self.field == FIELD_DEPARTMENT and not self.value.strip():
            raise ValueError("a department rule needs a department value")
        if self.match not in MATCH_MODES:
            raise ValueError(f"unknown match mode {self.match!r}; expected one of {', '.join(MATCH_MODES)}")
        readable = (lambda k: k.strip()) if self.match == MATCH_REGEX else normalise_title
        if not keywords or not all(isinstance(k, str) and readable(k) for k in keywords):
            raise ValueError(f"rule {self.field}={self.value!r} needs at least one non-empty keyword")
        if not 0.0 <= self.weight <= 1.0:
            raise ValueError(f"rule weight must be in [0, 1], got {self.weight}")
        try:
            literal = (lambda k: "") if self.match == MATCH_REGEX else normalise_title
            patterns = tuple((k, literal(k), _keyword_regex(k, self.match)) for k in keywords)
        except re.error as exc:
            raise ValueError(f"invalid regular expression in rule {self.field}={self.value!r}: {exc}") from exc
        object.__setattr__(self, "_patterns", patterns)
        object.__setattr__(self, "_excludes", tuple(_keyword_regex(e, MATCH_WORD) for e in exclude))

    def find(self, normalised_title: str) -> Optional[str]:
        """The first keyword found in an already normalised title, or None (also when excluded)."""
        # A plain substring test first (fast, in C); the regex only confirms the word boundaries.
        found = next((keyword for keyword, literal, pattern in self._patterns
                      if literal in normalised_title and pattern.search(normalised_title)), None)
        if found is None or any(p.search(normalised_title) for p in self._excludes):
            return None
        return found


def _rules(field_: str, value: str, language: str, priority: int, keywords: str,
           match: str = MATCH_WORD, exclude: tuple[str, ...] = ()) -> TitleRule:
    """Built-in rule from a '|'-separated keyword list (keeps the table below readable)."""
    return TitleRule(field=field_, value=value, keywords=tuple(k.strip() for k in keywords.split("|")),
                     language=language, priority=priority, match=match, exclude=exclude)


S, D, R = FIELD_SENIORITY, FIELD_DEPARTMENT, FIELD_ROLE
_SECRETARY_GENERAL = ("secretary general", "general secretary", "company secretary", "secretaire general",
                      "secretaire generale", "secretario general", "secretaria general")
_VICE = ("vice president", "vice presidente", "vice presidenta")
_NOT_OWNER = ("product owner", "process owner", "service owner", "data owner", "account owner", "budget owner")

BUILTIN_RULES: tuple[TitleRule, ...] = (
    # ---- seniority ------------------------------------------------------------------------
    # 10: exclusions → Practitioner even when the title names an executive (DOMAIN.md §3.2).
    _rules(S, SENIORITY_PRACTITIONER, "en", 10,
           "assistant to|executive assistant|personal assistant|administrative assistant|admin assistant|"
           "office assistant|secretary|receptionist|intern|internship|student|working student|trainee|apprentice",
           exclude=_SECRETARY_GENERAL),
    _rules(S, SENIORITY_PRACTITIONER, "de", 10, "assistent|sekretar|referent|praktikant|werkstudent|auszubildend",
           match=MATCH_SUBSTRING),
    _rules(S, SENIORITY_PRACTITIONER, "de", 10, "azubi"),
    _rules(S, SENIORITY_PRACTITIONER, "fr", 10,
           "assistante|assistant de direction|assistant de|secretaire|stagiaire|alternant|alternante|apprenti|apprentie",
           exclude=_SECRETARY_GENERAL),
    _rules(S, SENIORITY_PRACTITIONER, "es", 10,
           "asistente|secretaria|secretario|becario|becaria|practicante|recepcionista", exclude=_SECRETARY_GENERAL),
    _rules(S, SENIORITY_PRACTITIONER, "zh", 10, "助理|秘书|实习|前台", exclude=("助理总裁", "助理副总裁", "秘书长")),
    # 15: "manager" titles that are individual contributors (DOMAIN.md §3.2 exception list).
    _rules(S, SENIORITY_PRACTITIONER, "en", 15, "account manager|key account manager|customer success manager|office manager"),
    # 18: deputies of the top job are VP, though their title contains the top job's words.
    _rules(S, SENIORITY_VP, "en", 18,
           "deputy ceo|deputy general manager|deputy managing director|deputy gm|vice chairman|vice chair"),
    _rules(S, SENIORITY_VP, "de", 18, "stellvertretender geschaftsfuhrer|stellvertretende geschaftsfuhrerin|"
           "stellvertretender geschaeftsfuehrer|stellvertretende geschaeftsfuehrerin|generalbevollmachtigter"),
    _rules(S, SENIORITY_VP, "fr", 18, "directeur general adjoint|directrice generale adjointe"),
    _rules(S, SENIORITY_VP, "es", 18, "director general adjunto|directora general adjunta|subdirector general|"
           "subdirectora general"),
    _rules(S, SENIORITY_VP, "zh", 18, "副总裁|副总经理|副总", exclude=("副总监",)),
    # 20: C-level.
    _rules(S, SENIORITY_C_LEVEL, "en", 20,
           "ceo|cfo|cto|cio|cmo|coo|cro|cdo|cpo|ciso|chro|cso|clo|chief|founder|co founder|cofounder|"
           "managing director|general manager|gm|managing partner|chairman|chairwoman|chairperson|board member|"
           "member of the board|general counsel"),
    _rules(S, SENIORITY_C_LEVEL, "en", 20, "president", exclude=_VICE),
    _rules(S, SENIORITY_C_LEVEL, "en", 20, "owner", exclude=_NOT_OWNER),
    _rules(S, SENIORITY_C_LEVEL, "de", 20, "geschaftsfuhr|geschaeftsfuehr|geschaftsleitung|geschaeftsleitung|vorstand",
           match=MATCH_SUBSTRING),
    _rules(S, SENIORITY_C_LEVEL, "de", 20, "inhaber|inhaberin|vorsitzender|vorsitzende"),
    _rules(S, SENIORITY_C_LEVEL, "fr", 20,
           "pdg|president directeur general|directeur general|directrice generale|dg|daf|dsi|drh|gerant|gerante|"
           "directeur administratif et financier|directrice administrative et financiere|"
           "directeur des systemes d information|directrice des systemes d information|fondateur|fondatrice"),
    _rules(S, SENIORITY_C_LEVEL, "es", 20,
           "director general|directora general|consejero delegado|consejera delegada|presidente|presidenta|"
           "gerente general|fundador|fundadora|propietario|propietaria", exclude=_VICE),
    _rules(S, SENIORITY_C_LEVEL, "zh", 20, "总裁|总经理|首席|董事长|董事|创始人|老板"),
    # 25: VP.
    _rules(S, SENIORITY_VP, "en", 25, "vp|svp|evp|avp|vice president|vicepresident"),
    _rules(S, SENIORITY_VP, "es", 25, "vicepresidente|vicepresidenta|vice presidente|vice presidenta"),
    # 30: team/project leads are managers although German titles end in -leiter.
    _rules(S, SENIORITY_MANAGER, "en", 30, "team lead|team leader|project lead|project leader"),
    _rules(S, SENIORITY_MANAGER, "de", 30, "teamleit|gruppenleit|schichtleit|projektleit", match=MATCH_SUBSTRING),
    # 40: Director/Head.
    _rules(S, SENIORITY_DIRECTOR, "en", 40, "director|head of|head|dir"),
    _rules(S, SENIORITY_DIRECTOR, "de", 40, "leiter|leiterin|leitung", match=MATCH_SUFFIX),
    _rules(S, SENIORITY_DIRECTOR, "de", 40, "direktor|direktorin|prokurist|prokuristin|chefeinkaufer|chefeinkauferin"),
    _rules(S, SENIORITY_DIRECTOR, "fr", 40, "directeur|directrice"),
    _rules(S, SENIORITY_DIRECTOR, "es", 40, "directora"),
    _rules(S, SENIORITY_DIRECTOR, "zh", 40, "总监|部长|主任|厂长|负责人"),
    # 50: Manager.
    _rules(S, SENIORITY_MANAGER, "en", 50, "manager|mgr|supervisor"),
    _rules(S, SENIORITY_MANAGER, "fr", 50, "responsable|chef|chef de|superviseur|superviseuse"),
    _rules(S, SENIORITY_MANAGER, "es", 50, "jefe|jefa|gerente|encargado|encargada|supervisora"),
    _rules(S, SENIORITY_MANAGER, "zh", 50, "经理|主管|组长|科长"),
    # 60: explicit individual contributors (anything that matched but has no level word is too).
    _rules(S, SENIORITY_PRACTITIONER, "en", 60,
           "engineer|analyst|specialist|coordinator|consultant|associate|representative|rep|administrator|"
           "officer|clerk|accountant|buyer|planner|dispatcher|developer|architect|technician|agent|"
           "account executive|designer|scientist|advisor|adviser|expert|operator"),
    _rules(S, SENIORITY_PRACTITIONER, "de", 60,
           "sachbearbeit|referent|disponent|einkaufer|mitarbeiter|fachkraft|entwickler|ingenieur|berater|"
           "buchhalter|lagerist|techniker|spezialist|kaufmann|kauffrau",
           match=MATCH_SUBSTRING),
    _rules(S, SENIORITY_PRACTITIONER, "fr", 60,
           "ingenieur|analyste|acheteur|acheteuse|technicien|technicienne|charge de|chargee de|gestionnaire|"
           "comptable|consultante|developpeur|developpeuse|specialiste|conseiller|conseillere|employe|employee"),
    _rules(S, SENIORITY_PRACTITIONER, "es", 60,
           "analista|comprador|compradora|ingeniero|ingeniera|tecnico|tecnica|especialista|consultor|consultora|"
           "desarrollador|desarrolladora|contable|auxiliar|administrativo|administrativa|asesor|asesora|agente"),
    _rules(S, SENIORITY_PRACTITIONER, "zh", 60, "专员|工程师|分析师|采购员|会计|文员|顾问|职员|技术员|出纳"),

    # ---- department -----------------------------------------------------------------------
    # 10: C-suite tokens name their function outright.
    _rules(D, DEPT_FINANCE, "en", 10, "cfo|chief financial officer|chief finance officer"),
    _rules(D, DEPT_IT, "en", 10, "cio|ciso|cdo|chief information officer|chief information security officer|"
           "chief digital officer"),
    _rules(D, DEPT_ENGINEERING, "en", 10, "cto|chief technology officer|chief technical officer"),
    _rules(D, DEPT_MARKETING, "en", 10, "cmo|chief marketing officer"),
    _rules(D, DEPT_SALES, "en", 10, "cro|cso|chief revenue officer|chief sales officer|chief commercial officer"),
    _rules(D, DEPT_HR, "en", 10, "chro|chief human resources officer|chief people officer"),
    _rules(D, DEPT_OPERATIONS, "en", 10, "coo|chief operating officer|chief operations officer|"
           "chief supply chain officer|chief logistics officer"),
    _rules(D, DEPT_PROCUREMENT, "en", 10, "chief procurement officer|chief purchasing officer"),
    _rules(D, DEPT_LEGAL, "en", 10, "clo|chief legal officer|general counsel"),
    _rules(D, DEPT_EXECUTIVE, "en", 10, "ceo|chief executive officer"),
    _rules(D, DEPT_FINANCE, "fr", 10, "daf|directeur administratif et financier|directrice administrative et financiere"),
    _rules(D, DEPT_IT, "fr", 10, "dsi"),
    _rules(D, DEPT_HR, "fr", 10, "drh"),
    _rules(D, DEPT_FINANCE, "zh", 10, "首席财务官"),
    _rules(D, DEPT_IT, "zh", 10, "首席信息官|首席信息安全官"),
    _rules(D, DEPT_ENGINEERING, "zh", 10, "首席技术官"),
    _rules(D, DEPT_OPERATIONS, "zh", 10, "首席运营官"),
    _rules(D, DEPT_MARKETING, "zh", 10, "首席营销官"),
    _rules(D, DEPT_EXECUTIVE, "zh", 10, "首席执行官"),
    # 20–26: functions.
    _rules(D, DEPT_PROCUREMENT, "en", 20,
           "procurement|purchasing|purchase|purchaser|sourcing|vendor management|supplier management|"
           "category manager|category management|strategic buyer"),
    _rules(D, DEPT_PROCUREMENT, "de", 20, "einkauf|beschaffung", match=MATCH_SUBSTRING),
    _rules(D, DEPT_PROCUREMENT, "fr", 20, "achat|achats|acheteur|acheteuse|approvisionnement",
           exclude=("chaine d approvisionnement",)),
    _rules(D, DEPT_PROCUREMENT, "es", 20,
           "compras|compra|comprador|compradora|adquisiciones|abastecimiento|aprovisionamiento"),
    _rules(D, DEPT_PROCUREMENT, "zh", 20, "采购|供应商|招标"),
    _rules(D, DEPT_LEGAL, "en", 21, "legal|counsel|attorney|lawyer|contracts|compliance|paralegal"),
    _rules(D, DEPT_LEGAL, "de", 21, "recht|justitiar|justiziar|syndikus", match=MATCH_PREFIX),
    _rules(D, DEPT_LEGAL, "fr", 21, "juridique|juriste|avocat|avocate"),
    _rules(D, DEPT_LEGAL, "es", 21, "juridico|juridica|abogado|abogada|legal"),
    _rules(D, DEPT_LEGAL, "zh", 21, "法务|法律|律师|合规"),
    _rules(D, DEPT_FINANCE, "en", 22,
           "finance|financial|accounting|accountant|controller|controlling|treasury|treasurer|tax|audit|"
           "payroll|fp a"),
    _rules(D, DEPT_FINANCE, "de", 22, "finanz|buchhalt|rechnungswesen|kaufmannisch", match=MATCH_SUBSTRING),
    _rules(D, DEPT_FINANCE, "fr", 22, "financier|financiere|finances|comptable|comptabilite|tresorier|tresoriere|"
           "controleur de gestion|controleuse de gestion"),
    _rules(D, DEPT_FINANCE, "es", 22, "financiero|financiera|finanzas|contable|contabilidad|tesorero|tesorera|"
           "contralor|contralora"),
    _rules(D, DEPT_FINANCE, "zh", 22, "财务|会计|出纳|审计|税务"),
    _rules(D, DEPT_HR, "en", 23, "hr|human resources|people and culture|people operations|talent|recruiting|"
           "recruiter|recruitment|hrbp"),
    _rules(D, DEPT_HR, "de", 23, "personalleit|personalwesen|personalabteilung|personalreferent|personalchef|"
           "personalentwicklung|leiter personal|leiterin personal", match=MATCH_SUBSTRING),
    _rules(D, DEPT_HR, "fr", 23, "ressources humaines|rh"),
    _rules(D, DEPT_HR, "es", 23, "recursos humanos|rrhh"),
    _rules(D, DEPT_HR, "zh", 23, "人力资源|人事|招聘"),
    _rules(D, DEPT_IT, "en", 24,
           "it|information technology|information systems|information security|infosec|cyber security|"
           "cybersecurity|it security|infrastructure|network|sysadmin|system administrator|systems administrator|"
           "database|erp|sap|devops|helpdesk|help desk|service desk|cloud|data center"),
    _rules(D, DEPT_IT, "de", 24, "informatik|edv|systemadministrat|informationstechn|netzwerk",
           match=MATCH_SUBSTRING),
    _rules(D, DEPT_IT, "fr", 24, "informatique|systemes d information|si"),
    _rules(D, DEPT_IT, "es", 24, "informatica|sistemas|tecnologias de la informacion|ti"),
    _rules(D, DEPT_IT, "zh", 24, "信息技术|信息|网络|系统|运维"),
    _rules(D, DEPT_MARKETING, "en", 25,
           "marketing|seo|sem|abm|content|demand generation|demand gen|brand|communications|pr|public relations"),
    _rules(D, DEPT_MARKETING, "de", 25, "kommunikation|werbung", match=MATCH_SUBSTRING),
    _rules(D, DEPT_MARKETING, "fr", 25, "communication"),
    _rules(D, DEPT_MARKETING, "es", 25, "mercadotecnia|comunicacion"),
    _rules(D, DEPT_MARKETING, "zh", 25, "市场|营销|品牌|公关"),
    _rules(D, DEPT_SALES, "en", 26,
           "sales|sale|business development|new business|account executive|account manager|key account|"
           "revenue|commercial|inside sales"),
    _rules(D, DEPT_SALES, "de", 26, "vertrieb|verkauf", match=MATCH_SUBSTRING),
    _rules(D, DEPT_SALES, "fr", 26, "ventes|vente|commerciale"),
    _rules(D, DEPT_SALES, "es", 26, "ventas|comercial"),
    _rules(D, DEPT_SALES, "zh", 26, "销售|大客户|业务拓展|商务"),
    # 30: engineering / R&D.
    _rules(D, DEPT_ENGINEERING, "en", 30,
           "engineering|software|r d|research|development|technology|technical|quality|qa|product development"),
    _rules(D, DEPT_ENGINEERING, "de", 30, "entwicklung|forschung|technisch", match=MATCH_PREFIX),
    _rules(D, DEPT_ENGINEERING, "de", 30, "technik|qualitat|qualitaet|f e", match=MATCH_SUBSTRING),
    _rules(D, DEPT_ENGINEERING, "fr", 30, "technique|ingenierie|recherche|qualite|r et d"),
    _rules(D, DEPT_ENGINEERING, "es", 30, "tecnologia|tecnico|tecnica|ingenieria|investigacion|calidad|i d"),
    _rules(D, DEPT_ENGINEERING, "zh", 30, "研发|工程|技术|开发|质量"),
    # 35: customer service.
    _rules(D, DEPT_CUSTOMER_SERVICE, "en", 35,
           "customer service|customer support|customer success|customer care|customer experience|support|"
           "service|customer"),
    _rules(D, DEPT_CUSTOMER_SERVICE, "de", 35, "kundenservice|kundendienst|kundenbetreuung",
           match=MATCH_SUBSTRING),
    _rules(D, DEPT_CUSTOMER_SERVICE, "fr", 35, "service client|relation client|support client"),
    _rules(D, DEPT_CUSTOMER_SERVICE, "es", 35, "atencion al cliente|servicio al cliente"),
    _rules(D, DEPT_CUSTOMER_SERVICE, "zh", 35, "客服|客户服务|售后"),
    # 40: operations, logistics, supply chain, production.
    _rules(D, DEPT_OPERATIONS, "en", 40,
           "operations|operation|logistics|logistic|supply chain|scm|warehouse|warehousing|distribution|transport|"
           "transportation|fleet|shipping|fulfillment|fulfilment|inventory|materials management|production|"
           "manufacturing|plant|demand planning|demand planner|supply planning|supply"),
    _rules(D, DEPT_OPERATIONS, "de", 40, "logistik|lager|versand|produktion|fertigung|disposition|disponent|"
           "spedition|fuhrpark|materialwirtschaft|supply chain", match=MATCH_PREFIX),
    _rules(D, DEPT_OPERATIONS, "de", 40, "werkleit|werksleit|betriebsleit|lieferkette|logistik",
           match=MATCH_SUBSTRING),
    _rules(D, DEPT_OPERATIONS, "fr", 40,
           "logistique|chaine d approvisionnement|entrepot|exploitation|expedition|usine|transports|flotte"),
    _rules(D, DEPT_OPERATIONS, "es", 40,
           "operaciones|logistica|cadena de suministro|almacen|transporte|transportes|produccion|planta|flota|"
           "distribucion"),
    _rules(D, DEPT_OPERATIONS, "zh", 40, "物流|供应链|运营|营运|仓储|仓库|生产|运输|配送|工厂|厂长"),
    # 50: general management, only when no function was named.
    _rules(D, DEPT_EXECUTIVE, "en", 50,
           "founder|co founder|cofounder|managing director|general manager|gm|managing partner|chairman|"
           "chairwoman|chairperson|board member|member of the board|chief of staff|executive board"),
    _rules(D, DEPT_EXECUTIVE, "en", 50, "president", exclude=_VICE),
    _rules(D, DEPT_EXECUTIVE, "en", 50, "owner", exclude=_NOT_OWNER),
    _rules(D, DEPT_EXECUTIVE, "de", 50, "geschaftsfuhr|geschaeftsfuehr|geschaftsleitung|geschaeftsleitung|"
           "vorstand|inhaber", match=MATCH_SUBSTRING),
    _rules(D, DEPT_EXECUTIVE, "fr", 50, "pdg|president directeur general|directeur general|directrice generale|dg|"
           "gerant|gerante|fondateur|fondatrice"),
    _rules(D, DEPT_EXECUTIVE, "es", 50, "director general|directora general|consejero delegado|consejera delegada|"
           "presidente|presidenta|gerente general|fundador|fundadora|propietario|propietaria", exclude=_VICE),
    _rules(D, DEPT_EXECUTIVE, "zh", 50, "总裁|总经理|董事长|董事|创始人|老板"),
    # 60: job nouns that imply a function when nothing else does.
    _rules(D, DEPT_ENGINEERING, "en", 60, "engineer|developer|programmer"),
    _rules(D, DEPT_ENGINEERING, "de", 60, "entwickler|ingenieur", match=MATCH_SUBSTRING),
    _rules(D, DEPT_ENGINEERING, "fr", 60, "developpeur|developpeuse"),
    _rules(D, DEPT_ENGINEERING, "es", 60, "ingeniero|ingeniera|desarrollador|desarrolladora"),
    _rules(D, DEPT_ENGINEERING, "zh", 60, "工程师"),
    _rules(D, DEPT_IT, "en", 60, "architect|architecte|arquitecto|arquitecta"),
    _rules(D, DEPT_IT, "de", 60, "architekt", match=MATCH_SUBSTRING),
    _rules(D, DEPT_IT, "zh", 60, "架构师"),
    _rules(D, DEPT_PROCUREMENT, "en", 60, "buyer"),

    # ---- buying-group roles by keyword (added to the department × seniority table) -------
    _rules(R, ROLE_GATEKEEPER, "en", 50,
           "assistant to|executive assistant|personal assistant|administrative assistant|admin assistant|"
           "office assistant|secretary|receptionist|office manager", exclude=_SECRETARY_GENERAL),
    _rules(R, ROLE_GATEKEEPER, "de", 50, "assistent|sekretar", match=MATCH_SUBSTRING),
    _rules(R, ROLE_GATEKEEPER, "fr", 50, "assistante|assistant de direction|secretaire|standardiste",
           exclude=_SECRETARY_GENERAL),
    _rules(R, ROLE_GATEKEEPER, "es", 50, "asistente|secretaria|secretario|recepcionista", exclude=_SECRETARY_GENERAL),
    _rules(R, ROLE_GATEKEEPER, "zh", 50, "助理|秘书|前台", exclude=("助理总裁", "助理副总裁", "秘书长")),
    _rules(R, ROLE_INFLUENCER, "en", 50, "analyst|consultant|advisor|adviser"),
    _rules(R, ROLE_INFLUENCER, "de", 50, "berater|beraterin", match=MATCH_SUFFIX),
    _rules(R, ROLE_INFLUENCER, "fr", 50, "analyste|consultante|conseiller|conseillere"),
    _rules(R, ROLE_INFLUENCER, "es", 50, "analista|consultor|consultora|asesor|asesora"),
    _rules(R, ROLE_INFLUENCER, "zh", 50, "分析师|顾问"),
    _rules(R, ROLE_TECHNICAL_EVALUATOR, "en", 50, "architect|architecte|arquitecto|arquitecta"),
    _rules(R, ROLE_TECHNICAL_EVALUATOR, "de", 50, "architekt", match=MATCH_SUBSTRING),
    _rules(R, ROLE_TECHNICAL_EVALUATOR, "zh", 50, "架构师"),
    # A Prokurist holds statutory signing power: the person who can sign the order.
    _rules(R, ROLE_ECONOMIC_BUYER, "de", 50, "prokurist|prokuristin"),
    _rules(R, ROLE_ECONOMIC_BUYER, "en", 50, "budget owner"),
)
del S, D, R


# --- department × seniority → roles (DOMAIN.md §3.2 PROPOSAL table, extended) -----------------

GROUP_BUYING = "buying"            # the workspace's buying function(s)
GROUP_EXECUTIVE = "executive"      # general management (not in the DOMAIN table: §3.1 says C-level/GM)
GROUP_FINANCE = "finance"
GROUP_TECHNICAL = "technical"      # IT / R&D / security
GROUP_PROCUREMENT = "procurement"
GROUP_LEGAL = "legal"
GROUP_OTHER = "other"              # a known department that does not buy (marketing, sales, HR, service)
GROUP_UNKNOWN = "unknown"          # no department could be read

_C, _V, _DI, _M, _P = SENIORITIES
ROLE_MATRIX: dict[str, dict[str, tuple[str, ...]]] = {
    GROUP_BUYING: {_C: (ROLE_DECISION_MAKER,), _V: (ROLE_DECISION_MAKER,), _DI: (ROLE_CHAMPION,),
                   _M: (ROLE_INFLUENCER,), _P: (ROLE_USER,)},
    GROUP_EXECUTIVE: {_C: (ROLE_DECISION_MAKER, ROLE_ECONOMIC_BUYER), _V: (ROLE_DECISION_MAKER,),
                      _DI: (ROLE_INFLUENCER,), _M: (ROLE_INFLUENCER,), _P: ()},
    # Finance Director/Head → economic buyer (§3.1 "VP/Head with budget"); the §3.2 table's
    # "influencer" is kept for finance managers.
    GROUP_FINANCE: {_C: (ROLE_ECONOMIC_BUYER,), _V: (ROLE_ECONOMIC_BUYER,), _DI: (ROLE_ECONOMIC_BUYER,),
                    _M: (ROLE_INFLUENCER,), _P: ()},
    GROUP_TECHNICAL: {_C: (ROLE_TECHNICAL_EVALUATOR,), _V: (ROLE_TECHNICAL_EVALUATOR,),
                      _DI: (ROLE_TECHNICAL_EVALUATOR,), _M: (ROLE_TECHNICAL_EVALUATOR,),
                      _P: (ROLE_TECHNICAL_EVALUATOR,)},
    GROUP_PROCUREMENT: {_C: (ROLE_PROCUREMENT,), _V: (ROLE_PROCUREMENT,), _DI: (ROLE_PROCUREMENT,),
                        _M: (ROLE_PROCUREMENT,), _P: (ROLE_PROCUREMENT, ROLE_GATEKEEPER)},
    GROUP_LEGAL: {_C: (ROLE_PROCUREMENT,), _V: (ROLE_PROCUREMENT,), _DI: (ROLE_PROCUREMENT,),
                  _M: (ROLE_PROCUREMENT,), _P: (ROLE_GATEKEEPER,)},
    GROUP_OTHER: {_C: (ROLE_INFLUENCER,), _V: (ROLE_INFLUENCER,), _DI: (), _M: (), _P: ()},
    GROUP_UNKNOWN: {_C: (ROLE_INFLUENCER,), _V: (ROLE_INFLUENCER,), _DI: (ROLE_INFLUENCER,),
                    _M: (ROLE_INFLUENCER,), _P: ()},
}
del _C, _V, _DI, _M, _P

DEPARTMENT_GROUPS = {
    DEPT_EXECUTIVE: GROUP_EXECUTIVE,
    DEPT_FINANCE: GROUP_FINANCE,
    DEPT_IT: GROUP_TECHNICAL,
    DEPT_ENGINEERING: GROUP_TECHNICAL,
    DEPT_PROCUREMENT: GROUP_PROCUREMENT,
    DEPT_LEGAL: GROUP_LEGAL,
}

_GROUP_WHY = {
    GROUP_BUYING: "in a buying department",
    GROUP_EXECUTIVE: "in general management",
    GROUP_FINANCE: "in finance",
    GROUP_TECHNICAL: "in IT/engineering",
    GROUP_PROCUREMENT: "in procurement",
    GROUP_LEGAL: "in legal (negotiates terms)",
    GROUP_OTHER: "in a department that does not buy",
    GROUP_UNKNOWN: "with no known department",
}


# --- result ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RoleSuggestion:
    """One suggested buying-group role with its weight (confidence) and why."""

    role: str
    weight: float
    reason: str


@dataclass(frozen=True)
class TitleInference:
    """What a title says. ``None`` fields mean "could not tell"; ``matched`` is False when no
    rule matched at all (then ``reasons`` is ``("no rule matched",)``)."""

    seniority: Optional[str]
    department: Optional[str]
    roles: tuple[str, ...]
    reasons: tuple[str, ...]
    matched: bool
    role_suggestions: tuple[RoleSuggestion, ...] = ()

    @property
    def seniority_label(self) -> str:
        return SENIORITY_LABELS.get(self.seniority or "", "")

    @property
    def department_label(self) -> str:
        return DEPARTMENT_LABELS.get(self.department or "", self.department or "")

    def weight_of(self, role: str) -> float:
        return next((s.weight for s in self.role_suggestions if s.role == role), 0.0)


# --- inference ---------------------------------------------------------------------------------

# Built-in rules per field, in the order they are tried (a constant derived from BUILTIN_RULES).
_BUILTIN_BY_FIELD: dict[str, tuple[TitleRule, ...]] = {
    f: tuple(sorted((r for r in BUILTIN_RULES if r.field == f), key=lambda r: r.priority)) for f in FIELDS
}

def _ordered(extra_rules: Sequence[TitleRule], field_: str) -> list[tuple[TitleRule, bool]]:
    """Extra rules first (lower priority first, stable), then the built-in ones."""
    extra = sorted((r for r in extra_rules if r.field == field_), key=lambda r: r.priority)
    return [(r, True) for r in extra] + [(r, False) for r in _BUILTIN_BY_FIELD[field_]]


def _first_match(text: str, extra_rules: Sequence[TitleRule], field_: str):
    for rule, is_extra in _ordered(extra_rules, field_):
        keyword = rule.find(text)
        if keyword is not None:
            return rule, keyword, is_extra
    return None


def _rule_label(keyword: str, is_extra: bool) -> str:
    return f"{'workspace rule' if is_extra else 'rule'}: '{keyword}'"


def infer_title(title: str, extra_rules: Sequence[TitleRule] = (), *,
                buying_departments: Collection[str] = DEFAULT_BUYING_DEPARTMENTS) -> TitleInference:
    """Seniority, department and role suggestions for ``title``, each with a reason.

    ``extra_rules`` (the workspace's own) take precedence over the built-in rules.
    ``buying_departments`` are the department codes that buy what the workspace sells: their
    leaders are decision makers and champion candidates, their practitioners users.
    """
    for rule in extra_rules:
        if not isinstance(rule, TitleRule):
            raise TypeError(f"extra_rules must contain TitleRule objects, got {type(rule).__name__}")
    text = normalise_title(title)
    shown = (title or "").strip()
    if not text:
        return TitleInference(None, None, (), (f"{NO_RULE_MATCHED} (empty title)",), False)

    reasons: list[str] = []
    seniority_hit = _first_match(text, extra_rules, FIELD_SENIORITY)
    department_hit = _first_match(text, extra_rules, FIELD_DEPARTMENT)
    role_hits = [(rule, keyword, is_extra) for rule, is_extra in _ordered(extra_rules, FIELD_ROLE)
                 if (keyword := rule.find(text)) is not None]

    if not (seniority_hit or department_hit or role_hits):
        return TitleInference(None, None, (), (NO_RULE_MATCHED,), False)

    if seniority_hit:
        rule, keyword, is_extra = seniority_hit
        seniority = rule.value
        reasons.append(f"'{shown}' → {SENIORITY_LABELS[seniority]} ({_rule_label(keyword, is_extra)})")
    else:
        seniority = SENIORITY_PRACTITIONER
        reasons.append(f"'{shown}' → Practitioner (default: no seniority word in the title)")

    department: Optional[str] = None
    if department_hit:
        rule, keyword, is_extra = department_hit
        department = rule.value
        label = DEPARTMENT_LABELS.get(department, department)
        reasons.append(f"'{shown}' → department {label} ({_rule_label(keyword, is_extra)})")

    suggestions = _suggest_roles(shown, seniority, department, role_hits, set(buying_departments))
    reasons.extend(s.reason for s in suggestions)
    return TitleInference(
        seniority=seniority,
        department=department,
        roles=tuple(s.role for s in suggestions),
        reasons=tuple(reasons),
        matched=True,
        role_suggestions=suggestions,
    )


def _suggest_roles(shown: str, seniority: str, department: Optional[str],
                   role_hits: list[tuple[TitleRule, str, bool]],
                   buying_departments: set[str]) -> tuple[RoleSuggestion, ...]:
    found: dict[str, RoleSuggestion] = {}

    def add(role: str, weight: float, reason: str) -> None:
        if role not in found or weight > found[role].weight:
            found[role] = RoleSuggestion(role, weight, reason)

    extra_hits = [hit for hit in role_hits if hit[2]]
    if extra_hits:
        for rule, keyword, _ in extra_hits:
            add(rule.value, rule.weight, f"'{shown}' → {ROLE_LABELS[rule.value]} (workspace rule: '{keyword}')")
    else:
        for rule, keyword, _ in role_hits:
            add(rule.value, rule.weight, f"'{shown}' → {ROLE_LABELS[rule.value]} (rule: '{keyword}')")
        for group in _groups(department, buying_departments):
            for role in ROLE_MATRIX[group][seniority]:
                level = SENIORITY_LABELS[seniority]
                if role == ROLE_CHAMPION:
                    add(role, CHAMPION_CANDIDATE_WEIGHT,
                        f"'{shown}' → Champion candidate ({level} {_GROUP_WHY[group]}; a rep should confirm)")
                else:
                    add(role, DEFAULT_ROLE_WEIGHT, f"'{shown}' → {ROLE_LABELS[role]} ({level} {_GROUP_WHY[group]})")
    return tuple(found[r] for r in ROLES if r in found)


def _groups(department: Optional[str], buying_departments: set[str]) -> list[str]:
    if department is None:
        return [GROUP_UNKNOWN]
    groups = []
    if department in buying_departments:
        groups.append(GROUP_BUYING)
    if department in DEPARTMENT_GROUPS:
        groups.append(DEPARTMENT_GROUPS[department])
    return groups or [GROUP_OTHER]
