"""Synthetic evaluation data for lead-to-account matching, with ground truth.

Accounts: multilingual company names (brand-like stems, family names, multiword names that have
acronyms, generic "Global Solutions"-style names, Chinese, Japanese and Korean names) with the
legal forms of their country; one or more domains (country variants brand.de/brand.fr, second
brands); subsidiaries with parent links and their own domains (sometimes also listed by the
parent, sometimes the parent's name with a local legal form); unrelated accounts sharing a name
in other countries; a few dirty CRM records whose domain is a free-mail domain.

Companies that are not accounts come from the same generator (so they share words, stems and
sometimes whole names with accounts).

Leads: see LEAD_MIX. Each lead has `truth` (an account id, or None) and `kind` (how it was
made), so the bench can break figures down.

Deterministic for a given seed. Pure Python, no Django.
"""
from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field

import tldextract

_extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)  # bundled PSL, no network


def brand_of(domain: str) -> str:
    """`de.brand.co.uk` → `brand`."""
    return _extract("http://" + domain).domain

# ---------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------

COUNTRIES = {  # weight, TLDs, legal forms, subsidiary word, free-mail providers (most used first)
    "DE": (14, ["de"], ["GmbH", "AG", "GmbH & Co. KG", "SE", "KGaA"], "Deutschland",
           ["gmail.com", "web.de", "gmx.de", "t-online.de", "outlook.de", "yahoo.de", "gmx.net"]),
    "GB": (11, ["co.uk"], ["Ltd", "Limited", "PLC", "Ltd.", "LLP"], "UK",
           ["gmail.com", "hotmail.co.uk", "outlook.com", "yahoo.co.uk", "btinternet.com", "live.co.uk"]),
    "US": (16, ["com"], ["Inc.", "LLC", "Corp.", "Corporation", "Inc", "Co."], "USA",
           ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "aol.com", "icloud.com", "comcast.net"]),
    "FR": (8, ["fr"], ["SA", "SAS", "SARL", "S.A.", "S.A.S."], "France",
           ["gmail.com", "orange.fr", "hotmail.fr", "free.fr", "laposte.net", "yahoo.fr", "sfr.fr"]),
    "NL": (5, ["nl"], ["B.V.", "N.V.", "BV"], "Nederland", ["gmail.com", "hotmail.com", "ziggo.nl", "outlook.com"]),
    "ES": (5, ["es"], ["S.A.", "S.L.", "SL", "SA"], "España", ["gmail.com", "hotmail.es", "yahoo.es", "outlook.es"]),
    "IT": (5, ["it"], ["S.p.A.", "S.r.l.", "SpA", "Srl"], "Italia", ["gmail.com", "libero.it", "hotmail.it", "virgilio.it"]),
    "SE": (3, ["se"], ["AB"], "Sverige", ["gmail.com", "hotmail.com", "telia.com", "outlook.com"]),
    "DK": (2, ["dk"], ["A/S", "ApS"], "Danmark", ["gmail.com", "hotmail.com", "jubii.dk"]),
    "FI": (2, ["fi"], ["Oy", "Oyj"], "Suomi", ["gmail.com", "hotmail.com", "luukku.com"]),
    "PL": (3, ["pl"], ["Sp. z o.o.", "S.A.", "sp. z o.o."], "Polska", ["gmail.com", "wp.pl", "o2.pl", "interia.pl", "onet.pl"]),
    "CH": (3, ["ch"], ["AG", "SA", "GmbH"], "Schweiz", ["gmail.com", "bluewin.ch", "gmx.ch", "hotmail.com"]),
    "AT": (2, ["at"], ["GmbH", "AG"], "Austria", ["gmail.com", "gmx.at", "aon.at"]),
    "BR": (3, ["com.br"], ["Ltda.", "S.A.", "Ltda"], "Brasil", ["gmail.com", "hotmail.com", "uol.com.br", "bol.com.br"]),
    "IN": (4, ["in", "co.in"], ["Pvt. Ltd.", "Private Limited", "Limited", "Pvt Ltd"], "India",
           ["gmail.com", "yahoo.co.in", "rediffmail.com", "hotmail.com"]),
    "AU": (2, ["com.au"], ["Pty Ltd", "Pty. Ltd.", "Limited"], "Australia", ["gmail.com", "bigpond.com", "outlook.com"]),
    "ID": (1, ["co.id"], ["PT {} Tbk", "PT {}"], "Indonesia", ["gmail.com", "yahoo.co.id"]),
    "RU": (1, ["ru"], ["OOO", "AO"], "Rus", ["mail.ru", "yandex.ru", "gmail.com", "bk.ru"]),
    "JP": (5, ["co.jp", "jp"], ["株式会社", "K.K.", "Co., Ltd.", "Kabushiki Kaisha"], "Japan",
           ["gmail.com", "yahoo.co.jp", "docomo.ne.jp", "icloud.com", "outlook.jp"]),
    "CN": (5, ["com.cn", "cn"], ["有限公司", "股份有限公司", "Co., Ltd.", "Co., Ltd"], "China",
           ["qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "gmail.com"]),
    "KR": (2, ["co.kr"], ["주식회사", "Co., Ltd.", "Corp."], "Korea", ["naver.com", "daum.net", "gmail.com", "hanmail.net"]),
}
COUNTRY_CODES = list(COUNTRIES)
COUNTRY_WEIGHTS = [COUNTRIES[c][0] for c in COUNTRY_CODES]
LANGUAGE = {"DE": "de", "AT": "de", "CH": "de", "GB": "en", "US": "en", "AU": "en", "IN": "en", "FR": "fr",
            "ES": "es", "BR": "es", "IT": "it", "NL": "nl", "SE": "nordic", "DK": "nordic", "FI": "nordic",
            "PL": "pl", "ID": "en", "RU": "en", "JP": "ja", "CN": "zh", "KR": "ko"}
INDUSTRY = {
    "en": ["Logistics", "Systems", "Solutions", "Technologies", "Energy", "Engineering", "Software", "Pharmaceuticals",
           "Manufacturing", "Consulting", "Analytics", "Robotics", "Foods", "Capital", "Healthcare", "Networks", "Labs",
           "Dynamics", "Materials", "Aerospace", "Marine", "Textiles", "Insurance", "Retail", "Media", "Biotech"],
    "de": ["Logistik", "Maschinenbau", "Energie", "Bau", "Technik", "Systeme", "Software", "Pharma", "Handel",
           "Versicherung", "Medizintechnik", "Automobil", "Chemie", "Stahl", "Elektronik", "Werkzeugbau", "Verpackung"],
    "fr": ["Logistique", "Énergie", "Systèmes", "Conseil", "Industrie", "Médical", "Technologies", "Services",
           "Bâtiment", "Électronique", "Transports", "Alimentaire"],
    "es": ["Logística", "Energía", "Sistemas", "Ingeniería", "Construcciones", "Servicios", "Tecnología",
           "Alimentación", "Transportes"],
    "it": ["Logistica", "Energia", "Sistemi", "Costruzioni", "Meccanica", "Servizi", "Tecnologie", "Alimentari"],
    "nl": ["Logistiek", "Techniek", "Bouw", "Energie", "Transport", "Installatietechniek"],
    "nordic": ["Logistik", "Teknik", "Bygg", "Energi", "Maskin", "Data", "Konsult"],
    "pl": ["Logistyka", "Energetyka", "Budownictwo", "Technologie", "Transport", "Systemy"],
}
SYLLABLES = {
    "en": ["bri", "ton", "ash", "ford", "lan", "well", "cas", "ter", "mor", "gan", "hal", "ex", "vel", "rix", "stan",
           "ley", "cor", "vex", "tra", "ny", "ark", "wood", "ell", "is", "quin", "ta", "zo", "ra", "dex", "pen",
           "brook", "ston", "mere", "cal", "ving", "gro", "lux", "ber", "ox", "win", "thorn", "al", "sky", "bel",
           "dun", "ham", "ire", "jax", "kel", "mon"],
    "de": ["nord", "berg", "wald", "stein", "hof", "feld", "bach", "lin", "ger", "brenn", "kraft", "werk", "ost",
           "ro", "tal", "ha", "ma", "mü", "ler", "schön", "wei", "dorf", "burg", "lau", "tek", "ri", "horn", "eich",
           "lin", "gru", "fal", "ken", "sel", "wen", "tor", "au", "al", "ber", "dan", "em", "fels", "gart", "hei",
           "isar", "kir", "lech", "mar", "nie", "pfal", "ruh"],
    "fr": ["bel", "mont", "ver", "lau", "ré", "mi", "cha", "teau", "lor", "ane", "val", "rie", "don", "ette", "sa",
           "vo", "lis", "gé", "nor", "cé", "ro", "lan", "bour", "fleur", "cour", "mar", "sei", "tin", "blan", "cle",
           "dé", "fon", "gar", "jou", "lys", "oise", "pré", "quai", "sau", "tour"],
    "es": ["al", "ca", "mar", "te", "ro", "sol", "ve", "ga", "ñu", "la", "ri", "do", "mon", "ta", "sie", "rra",
           "be", "lo", "na", "cor", "ba", "cie", "dal", "es", "fue", "gra", "hue", "ja", "luz", "me", "nor", "pa",
           "que", "sal", "tor", "val"],
    "it": ["bel", "la", "ri", "mon", "te", "ca", "ve", "ro", "na", "lu", "cel", "li", "fio", "gio", "tor", "ra",
           "sa", "vi", "co", "ma", "ar", "ben", "chia", "dol", "fer", "gal", "len", "mar", "nel", "pa", "qua", "ros",
           "ser", "tri", "ven"],
    "nl": ["van", "del", "vliet", "ber", "kamp", "hui", "zen", "dam", "ster", "wijk", "ho", "ven", "ge", "lo",
           "brug", "dijk", "eem", "gou", "haar", "kol", "lei", "maas", "noord", "ool", "rijn", "schie", "tiel"],
    "nordic": ["nor", "vik", "sund", "dal", "berg", "ström", "ås", "lund", "fjell", "holm", "ka", "ri", "ne", "bø",
               "al", "bjør", "dan", "ek", "fal", "gø", "hav", "is", "ja", "kal", "lin", "mo", "sø", "tor", "ul", "vå"],
    "pl": ["war", "ko", "wal", "ski", "pol", "mar", "ta", "bud", "ex", "trans", "ro", "lo", "zy", "ła", "no",
           "bia", "cze", "dą", "gra", "ja", "kra", "lu", "mie", "pia", "rze", "sta", "to", "wi", "zie"],
}
SURNAMES = {
    "en": ["Smith", "Johnson", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Walker", "Wright", "Hughes",
           "Carter", "Morgan", "Bennett", "Turner", "Parker", "Collins", "Stewart", "Murphy", "Cooper", "Ward"],
    "de": ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
           "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Zimmermann", "Krüger"],
    "fr": ["Dubois", "Lefèvre", "Moreau", "Laurent", "Simon", "Michel", "Garnier", "Rousseau", "Fontaine", "Chevalier"],
    "es": ["García", "Martínez", "López", "Sánchez", "Pérez", "Gómez", "Fernández", "Díaz", "Muñoz", "Álvarez"],
    "it": ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco"],
    "nl": ["de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer"],
    "nordic": ["Andersson", "Johansson", "Karlsson", "Nilsen", "Hansen", "Jensen", "Nielsen", "Virtanen", "Korhonen"],
    "pl": ["Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński", "Szymański"],
}
SONS = {"en": "& Sons", "de": "& Söhne", "fr": "& Fils", "es": "e Hijos", "it": "& Figli", "nl": "& Zonen",
        "nordic": "& Søn", "pl": "i Synowie"}
GENERIC_ADJ = ["Global", "Premier", "United", "First", "Advanced", "Smart", "Prime", "Pacific", "Atlantic",
               "Allied", "National", "Central", "Modern", "Universal", "Integrated", "Strategic", "Digital",
               "Northern", "Southern", "Eastern", "Western", "Nordic", "Euro", "Continental", "Royal", "Golden"]
GENERIC_NOUN = ["Solutions", "Services", "Systems", "Consulting", "Partners", "Technologies", "Industries",
                "Trading", "Logistics", "Engineering", "Holdings", "Resources", "Ventures", "Networks", "Group"]
MULTI_A = ["International", "Allied", "Continental", "National", "General", "Advanced", "Applied", "Integrated",
           "Consolidated", "Standard", "Universal", "Federal", "Northern", "Atlantic", "Pacific", "Baltic"]
MULTI_B = ["Business", "Industrial", "Marine", "Medical", "Chemical", "Electric", "Steel", "Freight", "Power",
           "Data", "Paper", "Rail", "Glass", "Textile", "Mining", "Aviation", "Water", "Software", "Optical"]
MULTI_C = ["Machines", "Partners", "Engineering", "Systems", "Works", "Products", "Holdings", "Technologies",
           "Services", "Corporation", "Laboratories", "Instruments", "Resources", "Supplies"]
DIVISIONS = ["Healthcare", "Energy", "Mobility", "Digital", "Services", "Finance", "Logistics", "Software",
             "Industrial", "Retail", "Research", "Capital"]
# Chinese: (characters, pinyin) for brand syllables and industry words.
ZH_BRAND = [("华", "hua"), ("星", "xing"), ("东", "dong"), ("方", "fang"), ("中", "zhong"), ("科", "ke"),
            ("海", "hai"), ("天", "tian"), ("金", "jin"), ("龙", "long"), ("瑞", "rui"), ("恒", "heng"),
            ("安", "an"), ("通", "tong"), ("达", "da"), ("新", "xin"), ("宏", "hong"), ("远", "yuan"),
            ("博", "bo"), ("泰", "tai"), ("盛", "sheng"), ("鑫", "xin"), ("宇", "yu"), ("联", "lian"),
            ("创", "chuang"), ("嘉", "jia"), ("德", "de"), ("信", "xin"), ("明", "ming"), ("光", "guang"),
            ("云", "yun"), ("峰", "feng"), ("鸿", "hong"), ("智", "zhi"), ("腾", "teng"), ("凯", "kai"),
            ("正", "zheng"), ("美", "mei"), ("华", "hua"), ("永", "yong"), ("昌", "chang"), ("立", "li"),
            ("诚", "cheng"), ("佳", "jia"), ("伟", "wei"), ("晨", "chen"), ("辉", "hui"), ("飞", "fei")]
ZH_INDUSTRY = [("科技", "tech"), ("电子", "dianzi"), ("贸易", "trading"), ("物流", "wuliu"), ("医药", "yiyao"),
               ("能源", "nengyuan"), ("机械", "jixie"), ("软件", "ruanjian"), ("材料", "cailiao"),
               ("化工", "huagong"), ("网络", "net"), ("汽车", "qiche"), ("实业", "shiye"), ("电气", "dianqi")]
ZH_CITY = [("上海", "shanghai"), ("北京", "beijing"), ("深圳", "shenzhen"), ("广州", "guangzhou"), ("杭州", "hangzhou"),
           ("苏州", "suzhou"), ("成都", "chengdu"), ("武汉", "wuhan")]
JA_KANA = {"ka": "カ", "ki": "キ", "ku": "ク", "ko": "コ", "sa": "サ", "shi": "シ", "su": "ス", "so": "ソ",
           "ta": "タ", "to": "ト", "na": "ナ", "ni": "ニ", "no": "ノ", "ha": "ハ", "hi": "ヒ", "ma": "マ",
           "mi": "ミ", "mo": "モ", "ra": "ラ", "ri": "リ", "ro": "ロ", "te": "テ", "ne": "ネ", "re": "レ",
           "ya": "ヤ", "yo": "ヨ", "ga": "ガ", "go": "ゴ", "da": "ダ", "do": "ド", "ba": "バ", "be": "ベ",
           "n": "ン", "e": "エ", "a": "ア", "o": "オ", "i": "イ", "u": "ウ"}
JA_KANJI = [("山田", "yamada"), ("田中", "tanaka"), ("中村", "nakamura"), ("小林", "kobayashi"), ("高橋", "takahashi"),
            ("日本", "nihon"), ("東洋", "toyo"), ("大和", "yamato"), ("北斗", "hokuto"), ("富士", "fuji"),
            ("三和", "sanwa"), ("新光", "shinko"), ("昭和", "showa"), ("東亜", "toa"), ("日立", "hitachi"),
            ("大同", "daido"), ("太陽", "taiyo"), ("明治", "meiji"), ("千代田", "chiyoda"), ("旭", "asahi")]
JA_INDUSTRY = [("電機", "denki", "Electric"), ("工業", "kogyo", "Industries"), ("商事", "shoji", "Trading"),
               ("製薬", "seiyaku", "Pharmaceutical"), ("システム", "system", "Systems"), ("化学", "kagaku", "Chemical"),
               ("物流", "butsuryu", "Logistics"), ("精機", "seiki", "Precision"), ("建設", "kensetsu", "Construction"),
               ("食品", "shokuhin", "Foods"), ("電子", "denshi", "Electronics"), ("製作所", "seisakusho", "Works")]
KO_BRAND = [("한", "han"), ("대", "dae"), ("성", "seong"), ("현", "hyeon"), ("진", "jin"), ("우", "woo"),
            ("영", "young"), ("동", "dong"), ("신", "shin"), ("광", "gwang"), ("미", "mi"), ("태", "tae"),
            ("서", "seo"), ("은", "eun"), ("민", "min"), ("준", "jun"), ("하", "ha"), ("수", "su"), ("경", "gyeong"),
            ("남", "nam"), ("국", "guk"), ("명", "myeong"), ("상", "sang"), ("원", "won"), ("정", "jeong")]
KO_INDUSTRY = [("전자", "electronics", "Electronics"), ("화학", "chemical", "Chemical"), ("건설", "construction", "E&C"),
               ("물산", "trading", "Trading"), ("제약", "pharm", "Pharmaceutical"), ("중공업", "heavy", "Heavy Industries")]
CORPORATE_SUBDOMAINS = ["mail", "de", "uk", "fr", "eu", "corp", "global", "us", "group", "intl"]
DISPOSABLE = ["mailinator.com", "yopmail.com", "guerrillamail.com", "10minutemail.com", "trashmail.com",
              "sharklasers.com", "throwawaymail.com"]
PLACEHOLDERS = ["n/a", "Self-employed", "Student", "none", "Private", "-", "Freelancer", "Retired"]
KEYBOARD = "qwertyuiopasdfghjklzxcvbnm"
FREE_ON_ACCOUNTS = ["gmail.com", "yahoo.com", "hotmail.com", "web.de", "qq.com"]  # dirty CRM records


def ascii_slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.replace("ß", "ss").replace("ø", "o").replace("ł", "l")
                                   .replace("å", "a").replace("æ", "ae"))
    return "".join(ch for ch in folded.lower() if ch.isascii() and ch.isalnum())


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------


@dataclass
class Company:
    """A generated company. `base`: the distinctive part of the name (what people type without
    the legal form); `legal`: its legal form; `alt_names`: other names the company is known by
    that an account may hold as aliases (romanised CJK names)."""

    id: int
    name: str
    base: str
    legal: str
    country: str
    domains: list[str]
    words: list[str] = field(default_factory=list)
    alt_names: list[str] = field(default_factory=list)
    parent_id: int | None = None
    aliases: list[str] = field(default_factory=list)
    style: str = ""
    # Domains this record lists that belong to a subsidiary (CRM duplicates): its own
    # employees do not use them.
    foreign_domains: list[str] = field(default_factory=list)

    def lead_domains(self) -> list[str]:
        return [d for d in self.domains if d not in self.foreign_domains and d not in FREE_ON_ACCOUNTS]


@dataclass
class LeadRow:
    lead_id: str
    email: str
    company: str
    website: str
    country: str
    truth: int | None
    kind: str
    free_mail: bool


def _legal_name(base: str, legal: str) -> str:
    if "{}" in legal:
        return legal.format(base)
    if legal in ("株式会社", "有限公司", "股份有限公司", "주식회사"):
        return base + legal
    return f"{base} {legal}"


class Generator:
    def __init__(self, seed: int = 42) -> None:
        self.rng = random.Random(seed)
        self.used_domains: set[str] = set()
        self.used_bases: set[str] = set()
        self.used_labels: set[str] = set()
        self.subsidiary_names: dict[int, set[tuple[str, str]]] = {}
        self.companies: list[Company] = []

    # -- names ---------------------------------------------------------------------------------

    def _stem(self, language: str) -> str:
        syllables = SYLLABLES.get(language, SYLLABLES["en"])
        count = self.rng.choices([2, 3, 4], [25, 60, 15])[0]
        stem = "".join(self.rng.choice(syllables) for _ in range(count))
        return stem[:1].upper() + stem[1:]

    def _latin_name(self, country: str) -> tuple[str, list[str], str, str]:
        language = LANGUAGE[country]
        rng = self.rng
        industry = INDUSTRY.get(language, INDUSTRY["en"])
        style = rng.choices(["stem", "surname", "multi", "generic", "place"], [72, 7, 6, 3, 12])[0]
        if style == "stem":
            stem = self._stem(language)
            words = [stem] + ([rng.choice(industry)] if rng.random() < 0.55 else [])
            slug_words = [stem] + words[1:] if rng.random() < 0.5 else [stem]
        elif style == "surname":
            surname = rng.choice(SURNAMES.get(language, SURNAMES["en"]))
            tail = rng.choice([SONS.get(language, "& Sons"), rng.choice(industry), rng.choice(industry)])
            words = [surname] + tail.split()
            slug_words = [surname] + ([tail] if not tail.startswith(("&", "e ", "i ")) else [])
        elif style == "multi":
            words = [rng.choice(MULTI_A), rng.choice(MULTI_B), rng.choice(MULTI_C)]
            if rng.random() < 0.6:
                words.insert(1, self._stem("en"))
            slug_words = words
        elif style == "generic":
            words = [rng.choice(GENERIC_ADJ), rng.choice(GENERIC_NOUN)]
            slug_words = words
        else:
            words = [self._stem(language), rng.choice(industry), rng.choice(["Werke", "Partners", "Group", "Union"])
                     if rng.random() < 0.3 else ""]
            words = [w for w in words if w]
            slug_words = words[:2]
        return " ".join(words), words, "".join(ascii_slug(w) for w in slug_words), style

    def _cjk_name(self, country: str) -> tuple[str, list[str], str, list[str], str]:
        rng = self.rng
        if country == "CN":
            brand = rng.sample(ZH_BRAND, 2)
            industry = rng.choice(ZH_INDUSTRY)
            city = rng.choice(ZH_CITY) if rng.random() < 0.3 else ("", "")
            native = city[0] + brand[0][0] + brand[1][0] + industry[0]
            pinyin = brand[0][1] + brand[1][1]
            english = f"{pinyin.capitalize()} {industry[1].capitalize()}"
            return native, [native], pinyin + (industry[1] if rng.random() < 0.4 else ""), [english], "zh"
        if country == "JP":
            if rng.random() < 0.5:
                kanji = rng.choice(JA_KANJI)
                base, romaji = kanji
            else:
                syllables = rng.sample(list(JA_KANA), rng.choice([2, 3]))
                base, romaji = "".join(JA_KANA[s] for s in syllables), "".join(syllables)
            industry = rng.choice(JA_INDUSTRY)
            native = base + industry[0]
            english = f"{romaji.capitalize()} {industry[2]}"
            return native, [native], romaji + (industry[1] if rng.random() < 0.5 else ""), [english], "ja"
        brand = rng.sample(KO_BRAND, 2)
        industry = rng.choice(KO_INDUSTRY)
        native = brand[0][0] + brand[1][0] + industry[0]
        romaji = brand[0][1] + brand[1][1]
        english = f"{romaji.capitalize()} {industry[2]}"
        return native, [native], romaji + (industry[1] if rng.random() < 0.3 else ""), [english], "ko"

    def _domain(self, slug: str, country: str, prefer_com: bool) -> str:
        """A new domain whose brand label no other company uses (a brand's label under other
        suffixes belongs to the same company group, as it mostly does in real life)."""
        tld = "com" if prefer_com else self.rng.choice(COUNTRIES[country][1])
        labels = [slug, f"{slug}-{country.lower()}", f"{slug}group", f"{slug}{self.rng.randint(2, 99)}"]
        if self.rng.random() < 0.2 and len(slug) > 8:
            labels.insert(0, f"{slug[:len(slug) // 2]}-{slug[len(slug) // 2:]}")
        for label in labels:
            if label not in self.used_labels:
                break
        else:
            label = f"{slug}{self.rng.randint(100, 99999)}"
            while label in self.used_labels:
                label = f"{slug}{self.rng.randint(100, 99999)}"
        self.used_labels.add(label)
        domain = f"{label}.{tld}"
        self.used_domains.add(domain)
        return domain

    def company(self, cid: int, country: str | None = None) -> Company:
        rng = self.rng
        country = country or rng.choices(COUNTRY_CODES, COUNTRY_WEIGHTS)[0]
        legal = rng.choice(COUNTRIES[country][2])
        alt_names: list[str] = []
        for _attempt in range(8):
            # Brand-like names are distinct (surname, generic and multiword ones may repeat,
            # as they do in real life); accidental repeats of short synthetic stems are not.
            if country in ("CN", "JP", "KR"):
                base, words, slug, english, style = self._cjk_name(country)
                if legal.isascii():  # written in Latin script: "Huaxing Tech Co., Ltd."
                    base, alt_names = english[0], [base]
                    words = base.split()
                else:
                    alt_names = english
            else:
                base, words, slug, style = self._latin_name(country)
            names = {base.lower(), *(n.lower() for n in alt_names)}
            if style in ("surname", "generic", "multi") or not names & self.used_bases:
                break
        self.used_bases.update(names)
        name = _legal_name(base, legal)
        international = rng.random() < 0.35
        primary = self._domain(slug, country, prefer_com=international or country == "US")
        domains = [primary]
        if rng.random() < 0.30:  # country variants of the brand
            stem, _, suffix = primary.partition(".")  # primary is always brand.suffix
            for other in rng.sample(["de", "fr", "co.uk", "es", "it", "nl", "com", "ch", "at", "pl", "co.jp"],
                                    rng.randint(1, 4)):
                variant = f"{stem}.{other}"
                if other != suffix and variant not in self.used_domains:
                    self.used_domains.add(variant)
                    domains.append(variant)
        if rng.random() < 0.08:  # a second brand
            domains.append(self._domain(ascii_slug(self._stem("en")), country, prefer_com=True))
        return Company(cid, name, base, legal, country, domains, words, alt_names, style=style)

    # -- accounts ------------------------------------------------------------------------------

    def accounts(self, n: int) -> list[Company]:
        rng = self.rng
        accounts: list[Company] = []
        n_subsidiaries = int(n * 0.10)
        n_same_name = int(n * 0.01)
        n_independent = n - n_subsidiaries - n_same_name
        for i in range(n_independent):
            accounts.append(self.company(i + 1))
        next_id = n_independent + 1
        parents = rng.sample(accounts, min(len(accounts), max(1, n_subsidiaries // 3)))
        for _ in range(n_subsidiaries):
            parent = rng.choice(parents)
            accounts.append(self._subsidiary(next_id, parent))
            next_id += 1
        # Unrelated companies with the same name in other countries ("Apex Solutions").
        for _ in range(n_same_name):
            model = rng.choice(accounts[:n_independent])
            twin = self.company(next_id, country=rng.choice([c for c in COUNTRY_CODES if c != model.country]))
            twin.name, twin.base, twin.words = _legal_name(model.base, twin.legal), model.base, model.words
            twin.alt_names = list(model.alt_names)
            accounts.append(twin)
            next_id += 1
        # Dirty CRM data: a small business whose "domain" is its owner's free-mail domain.
        for account in rng.sample(accounts, max(1, n // 2000)):
            account.domains.append(rng.choice(FREE_ON_ACCOUNTS))
        # CJK accounts often hold the other script as an alias; some accounts have a known alias.
        for account in accounts:
            if account.alt_names and rng.random() < 0.6:
                account.aliases.extend(account.alt_names)
        self.companies.extend(accounts)
        return accounts

    def _subsidiary(self, cid: int, parent: Company) -> Company:
        rng = self.rng
        taken = self.subsidiary_names.setdefault(parent.id, set())
        for _attempt in range(10):  # a group rarely has two subsidiaries of one name in one country
            country = rng.choice([c for c in COUNTRY_CODES if c != parent.country])
            legal = rng.choice(COUNTRIES[country][2])
            style = rng.choices(["country", "division", "same_name"], [55, 30, 15])[0]
            if style == "country":
                base = f"{parent.base} {COUNTRIES[country][3]}"
            elif style == "division":
                base = f"{parent.base} {rng.choice(DIVISIONS)}"
            else:
                base = parent.base  # "Siemens Ltd" under "Siemens AG"
            if parent.country in ("CN", "JP", "KR") and not parent.base.isascii() and style != "same_name":
                base = f"{parent.alt_names[0] if parent.alt_names else parent.base} {COUNTRIES[country][3]}"
            if (base, country) not in taken and (style != "division" or base not in {b for b, _ in taken}):
                break
        taken.add((base, country))
        stem_domain = brand_of(parent.domains[0])
        tld = COUNTRIES[country][1][0]
        if style == "division":
            own = self._domain(stem_domain + ascii_slug(base.split()[-1]), country, prefer_com=True)
        elif rng.random() < 0.2:
            own = f"{country.lower()}.{parent.domains[0]}"
            self.used_domains.add(own)
        else:
            own = f"{stem_domain}.{tld}"
            if own in self.used_domains:
                own = self._domain(stem_domain + "-" + country.lower(), country, prefer_com=False)
            else:
                self.used_domains.add(own)
        sub = Company(cid, _legal_name(base, legal), base, legal, country, [own], base.split(),
                      parent_id=parent.id, style="subsidiary_" + style)
        if rng.random() < 0.3 and own not in parent.domains:
            parent.domains.append(own)  # the parent's record lists it too: the subsidiary must win
            parent.foreign_domains.append(own)
        return sub

    def outsiders(self, n: int, accounts: list[Company]) -> list[Company]:
        """Companies that are not accounts: most from the same generator, some lookalikes of
        accounts (same stem, other business; or the same name in another country)."""
        rng = self.rng
        result = []
        start = 10_000_000
        for i in range(n):
            roll = rng.random()
            company = self.company(start + i)
            if roll < 0.15:  # same distinctive stem, different business
                model = rng.choice(accounts)
                if model.words and model.base.isascii():
                    extra = rng.choice(INDUSTRY["en"] + DIVISIONS)
                    base = f"{model.words[0]} {extra}"
                    company.base, company.words = base, base.split()
                    company.name = _legal_name(base, company.legal)
                    company.domains = [self._domain(ascii_slug(base), company.country, prefer_com=rng.random() < 0.5)]
            elif roll < 0.20:  # the very same name, another country, own domain
                model = rng.choice(accounts)
                country = rng.choice([c for c in COUNTRY_CODES if c != model.country])
                legal = rng.choice(COUNTRIES[country][2])
                company.base, company.words, company.country, company.legal = model.base, model.words, country, legal
                company.alt_names = list(model.alt_names)
                company.name = _legal_name(model.base, legal)
                slug = brand_of(model.domains[0])
                same_label = f"{slug}.{rng.choice(COUNTRIES[country][1])}"
                if rng.random() < 0.05 and same_label not in self.used_domains:
                    # Unrelated, yet its domain is the account's brand under another suffix.
                    self.used_domains.add(same_label)
                    company.domains = [same_label]
                else:
                    slug = slug + rng.choice(["-" + country.lower(), "online", "group", "hq", "co"])
                    company.domains = [self._domain(slug, country, prefer_com=False)]
            result.append(company)
        return result


# ---------------------------------------------------------------------------------------------
# Leads
# ---------------------------------------------------------------------------------------------

# How leads are made (share of all leads). Truth: an account for the first group, none after.
LEAD_MIX = {
    # lead of an account
    "corporate_email": 0.50,         # on one of the account's domains (primary, other, subdomain)
    "subsidiary_parent_domain": 0.02,  # subsidiary employee on the parent's domain, subsidiary's name
    "website_only": 0.03,            # no e-mail; company website
    "conflict": 0.015,               # corporate e-mail of the account, company typed as another account
    "unlisted_domain": 0.025,        # corporate e-mail on a domain the account does not list
    "free_mail": 0.16,               # free-mail, company typed by hand
    "disposable": 0.01,
    "no_email": 0.02,
    # not an account
    "other_corporate": 0.12,         # corporate e-mail of a company that is not an account
    "other_free_mail": 0.07,         # free-mail, company that is not an account
    "placeholder": 0.01,             # free-mail, "n/a" / "Student" …
    "other_disposable": 0.01,
}
NAME_VARIANTS = {  # how a person types the company name
    "as_written": 16, "case": 10, "accents": 5, "suffix_changed": 14, "suffix_missing": 20, "punctuation": 5,
    "typo1": 12, "typo2": 3, "abbreviation": 5, "word_dropped": 4, "group_added": 4, "other_script": 2,
}


NAME_ONLY_KINDS = ("free_mail", "disposable", "no_email")


class LeadFactory:
    def __init__(self, gen: Generator, accounts: list[Company], outsiders: list[Company], seed: int = 7,
                 name_only_share: float | None = None) -> None:
        self.rng = random.Random(seed)
        self.accounts = accounts
        self.outsiders = outsiders
        self.by_id = {a.id: a for a in accounts}
        self.subsidiaries = [a for a in accounts if a.parent_id is not None]
        self.kinds = list(LEAD_MIX)
        self.kind_weights = [LEAD_MIX[k] for k in self.kinds]
        if name_only_share is not None:
            # Rescale so that name-only leads (free-mail, disposable, no e-mail) are this share of
            # the leads that have an account; everything else keeps its proportions.
            truth_kinds = [k for k in self.kinds if not k.startswith("other") and k != "placeholder"]
            truth_total = sum(LEAD_MIX[k] for k in truth_kinds)
            name_only = sum(LEAD_MIX[k] for k in NAME_ONLY_KINDS)
            rest = truth_total - name_only
            weights = dict(LEAD_MIX)
            for k in NAME_ONLY_KINDS:
                weights[k] = LEAD_MIX[k] / name_only * name_only_share * truth_total
            for k in truth_kinds:
                if k not in NAME_ONLY_KINDS:
                    weights[k] = LEAD_MIX[k] / rest * (1 - name_only_share) * truth_total
            self.kind_weights = [weights[k] for k in self.kinds]
        self.variants = list(NAME_VARIANTS)
        self.variant_weights = [NAME_VARIANTS[v] for v in self.variants]

    def _typo(self, text: str, edits: int) -> str:
        rng = self.rng
        chars = list(text)
        positions = [i for i, ch in enumerate(chars) if ch.isalpha() and i > 0]
        for _ in range(edits):
            if not positions:
                break
            i = rng.choice(positions)
            if i >= len(chars):
                continue
            op = rng.choice(["sub", "del", "swap", "ins"])
            if op == "sub":
                chars[i] = rng.choice(KEYBOARD)
            elif op == "del" and len(chars) > 4:
                del chars[i]
            elif op == "swap" and i + 1 < len(chars):
                chars[i], chars[i + 1] = chars[i + 1], chars[i]
            else:
                chars.insert(i, rng.choice(KEYBOARD))
            positions = [j for j, ch in enumerate(chars) if ch.isalpha() and j > 0]
        return "".join(chars)

    def company_as_typed(self, company: Company) -> str:
        rng = self.rng
        variant = rng.choices(self.variants, self.variant_weights)[0]
        base, legal = company.base, company.legal
        if variant == "as_written":
            return company.name
        if variant == "case":
            return rng.choice([company.name.upper(), company.name.lower(), base.upper()])
        if variant == "accents":
            stripped = "".join(c for c in unicodedata.normalize("NFKD", company.name) if not unicodedata.combining(c))
            return stripped.replace("ö", "oe").replace("ü", "ue").replace("ä", "ae")
        if variant == "suffix_changed":
            other = rng.choice(COUNTRIES[rng.choice(COUNTRY_CODES)][2])
            return _legal_name(base, other)
        if variant == "suffix_missing":
            return base
        if variant == "punctuation":
            return company.name.replace(".", "").replace(",", "").replace("&", "and").replace(" ", rng.choice([" ", "-"]), 1)
        if variant in ("typo1", "typo2"):
            typo = self._typo(base, 1 if variant == "typo1" else 2)
            return _legal_name(typo, legal) if rng.random() < 0.5 else typo
        if variant == "abbreviation":
            words = base.split()
            significant = [w for w in words if w.lower() not in ("&", "and", "of", "e", "i")]
            if len(significant) >= 3 and base.isascii():
                return "".join(w[0] for w in significant).upper()
            long = [w for w in words if len(w) > 7]
            if long:
                word = rng.choice(long)
                return base.replace(word, word[:4] + ".")
            return base
        if variant == "word_dropped":
            words = base.split()
            return words[0] if len(words) > 1 else base
        if variant == "group_added":
            return f"{base} {rng.choice(['Group', 'Holding', 'International'])}"
        if variant == "other_script":
            names = company.alt_names or [company.name]
            return rng.choice(names)
        return company.name

    def _email(self, domain: str) -> str:
        return f"{self.rng.choice(['j.doe', 'anna.schmidt', 'li.wei', 'm.rossi', 'sato', 'p.dubois', 'info'])}" \
               f"{self.rng.randint(1, 999)}@{domain}"

    def _country(self, company: Company) -> str:
        roll = self.rng.random()
        if roll < 0.65:
            return company.country
        if roll < 0.90:
            return ""
        return self.rng.choice(COUNTRY_CODES)

    def _free_mail(self, company: Company) -> str:
        providers = COUNTRIES[company.country][4]
        return self.rng.choices(providers, [len(providers) - i for i in range(len(providers))])[0]

    def lead(self, n: int) -> LeadRow:
        rng = self.rng
        kind = rng.choices(self.kinds, self.kind_weights)[0]
        lead_id = f"L{n:08d}"
        if kind.startswith("other") or kind == "placeholder":
            company = rng.choice(self.outsiders)
            typed = self.company_as_typed(company)
            country = self._country(company)
            if kind == "other_corporate":
                return LeadRow(lead_id, self._email(company.domains[0]), typed, "", country, None, kind, False)
            if kind == "other_free_mail":
                return LeadRow(lead_id, self._email(self._free_mail(company)), typed, "", country, None, kind, True)
            if kind == "placeholder":
                return LeadRow(lead_id, self._email(self._free_mail(company)), rng.choice(PLACEHOLDERS), "",
                               country, None, kind, True)
            return LeadRow(lead_id, self._email(rng.choice(DISPOSABLE)), typed, "", country, None, kind, False)
        if kind == "subsidiary_parent_domain" and self.subsidiaries:
            account = rng.choice(self.subsidiaries)
            parent = self.by_id[account.parent_id]
            domain = rng.choice(parent.lead_domains() or parent.domains[:1])
            return LeadRow(lead_id, self._email(domain), self.company_as_typed(account), "", self._country(account),
                           account.id, kind, False)
        account = rng.choice(self.accounts)
        corporate = account.lead_domains()
        typed = self.company_as_typed(account)
        country = self._country(account)
        if kind == "corporate_email":
            roll = rng.random()
            domain = corporate[0] if roll < 0.55 or len(corporate) == 1 else rng.choice(corporate[1:])
            if rng.random() < 0.12:
                domain = f"{rng.choice(CORPORATE_SUBDOMAINS)}.{domain}"
            if rng.random() < 0.15:
                typed = ""
            return LeadRow(lead_id, self._email(domain), typed, "", country, account.id, kind, False)
        if kind == "website_only":
            site = rng.choice(["https://www.", "http://", "www.", ""]) + rng.choice(corporate) + rng.choice(["", "/", "/en/about"])
            return LeadRow(lead_id, "", typed, site, country, account.id, kind, False)
        if kind == "conflict":
            other = rng.choice(self.accounts)
            return LeadRow(lead_id, self._email(corporate[0]), other.name, "", country, account.id, kind, False)
        if kind == "unlisted_domain":
            stem = brand_of(corporate[0])
            if rng.random() < 0.6:
                domain = f"{stem}.{rng.choice(['es', 'pt', 'be', 'se', 'mx', 'com.au', 'ca'])}"
            else:
                domain = f"{ascii_slug(self.rng.choice(SYLLABLES['en']) * 2)}{rng.randint(1, 999)}-acquired.com"
            if domain in account.domains:
                domain = f"{stem}-{rng.randint(1, 99)}.net"
            return LeadRow(lead_id, self._email(domain), typed or account.name, "", country, account.id, kind, False)
        if kind == "free_mail":
            return LeadRow(lead_id, self._email(self._free_mail(account)), typed, "", country, account.id, kind, True)
        if kind == "disposable":
            return LeadRow(lead_id, self._email(rng.choice(DISPOSABLE)), typed, "", country, account.id, kind, False)
        return LeadRow(lead_id, "", typed, "", country, account.id, "no_email", False)


def generate(n_accounts: int, n_leads: int, seed: int = 42,
             name_only_share: float | None = None) -> tuple[list[Company], list[LeadRow]]:
    gen = Generator(seed)
    accounts = gen.accounts(n_accounts)
    outsiders = gen.outsiders(max(1000, n_accounts // 3), accounts)
    factory = LeadFactory(gen, accounts, outsiders, seed=seed + 1, name_only_share=name_only_share)
    leads = [factory.lead(i) for i in range(n_leads)]
    return accounts, leads
