"""Files for channels delivered outside the platform: ad audiences (LinkedIn Matched Audiences,
Google Customer Match) and direct mail (a print-and-post vendor).

Who is in a file: the people of the step's **sent** touches — the ones the suppression engine
let through when the step was planned (blocked touches were never sent). The export checks two
things again, because they may have changed since: a person erased since then is left out, and
so is one who has since opted out of the channel's consent (``consent_ads`` for ad audiences,
``consent_direct_mail`` for direct mail). A person with several sent touches in the step
(enrolled again later) is in the file once. Rows are streamed from the database in chunks: a
few queries per 2,000 rows (direct mail also renders each piece, see below).

Layouts (header row exactly as below; cells a spreadsheet would run as formulas are prefixed
with a quote, as in every export of the platform). The ad platforms read their headers
literally and refuse a file whose headers differ from their template.

``linkedin_contacts`` — LinkedIn Matched Audiences, contact list template::

    email,firstname,lastname,jobtitle,employeecompany,country,googleaid

  Sources: LinkedIn Help "Requirements for contact targeting lists in Campaign Manager"
  (https://www.linkedin.com/help/lms/answer/a1489764 — don't change or remove the template's
  headers; addresses plain or SHA-256-hashed; at least 300 rows; at most 300,000 records) and
  the template file it offers,
  https://content.linkedin.com/content/dam/help/lms/en-us/LinkedIn_Ads_Contact_Match_Template.csv,
  whose header row is the one above (as quoted verbatim by several independent projects that
  upload to LinkedIn; the file itself could not be fetched from here).
  ``email`` is the SHA-256 hex digest of the address trimmed and lower-cased (LinkedIn hashes
  plain ones in the browser anyway; ``hash_emails=False`` writes them plain).
  ``employeecompany`` is the account's name, ``country`` the person's ISO 3166-1 alpha-2 code
  (else the account's); we hold no mobile advertising ids, so ``googleaid`` is empty. LinkedIn
  also matches on first name, last name and company, so a person without an address is kept
  when those three are known.

``linkedin_companies`` — LinkedIn Matched Audiences, company list template (the accounts with at
least one sent touch in the step)::

    companyname,companywebsite,companyemaildomain,linkedincompanypageurl,stocksymbol,industry,city,state,companycountry,zipcode

  Source: the company list template Campaign Manager offers (Plan → Audiences → Create audience
  → Company list; same help centre as above). LinkedIn's help pages describe its fields but do
  not print the file, so the header row was checked against three independent projects that
  reproduce the downloaded template and agree on it. (Until this check the file said
  ``companywebsitedomain``; LinkedIn's header is ``companywebsite``.)
  Filled from the account: name, primary domain as ``companywebsite``, industry, city, region
  (as ``state``), country (ISO alpha-2) and postal code. We do not store an e-mail domain
  distinct from the website, a LinkedIn page URL or a ticker, so those cells are empty (never
  guessed).

``google_customer_match`` — Google Ads Customer Match, hashed upload::

    Email,Phone,First Name,Last Name,Country,Zip

  Sources: Google Ads Help "Format your customer data file"
  (https://support.google.com/google-ads/answer/7659867) and "Formatting guidelines for
  uploading hashed data" (https://support.google.com/google-ads/answer/7476159): the header
  names in English, exactly these six for combined e-mail, phone and mailing-address matching;
  e-mail, phone and names hashed with SHA-256 after normalising — all characters lower-cased,
  spaces removed, phone numbers in E.164 (``+`` and the country code) before hashing; country
  and zip never hashed. ``Email``, ``Phone``, ``First Name`` and ``Last Name`` are hex digests:
  addresses trimmed, lower-cased and, for gmail.com and googlemail.com, with the dots of the
  mailbox removed (Google's normalisation for Customer Match in the Google Ads API; Gmail
  ignores those dots); phone numbers only when the stored number carries its country code
  (``+49 30 1234567``, ``0049 …``) — a national number is left empty, never guessed into a
  country. ``Country`` is the person's ISO alpha-2 code (else the account's). ``Zip`` stays
  empty: Google matches it with the person's own mailing address, and we hold only the
  company's. People without an e-mail address are left out. An empty value is written empty,
  never as the digest of "".

``direct_mail`` — for a print-and-post vendor (our own layout)::

    reference,recipient,first_name,last_name,job_title,company,street,postal_code,city,region,country,country_name,subject,message

  ``reference`` names the touch (``touch-<id>``) so returns can be traced back; ``recipient``
  is the person's full name, ``job_title`` their title, and the address is the account's
  (``street``, ``postal_code``, ``city``, ``region``, ``country`` as ISO alpha-2 and
  ``country_name`` in English for the label). A letter to an account without a usable postal
  address (campaigns/engine/postal.py) is never in the file: planning blocks it with
  ``no_postal_address``, so it is counted and listed with the other blocks (campaign touches,
  pilot report, the account's Touches panel) instead of missing silently. The address is the
  one stored when the file is exported. ``subject`` and ``message`` are the step's template
  rendered for the person (the same A/B arm and DISC variant as when the touch was sent), empty
  when the step has no template. Rendering reads each account's latest scores and insights, so
  this export costs a few queries per row; a template broken since the send stops the export
  with its error rather than print half a letter.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

import pycountry

from accounts.services.exports import csv_stream
from campaigns.models import Channel, Step, Touch, TouchStatus
from campaigns.services.content import render_touch
from contacts.models import ConsentStatus

LINKEDIN_CONTACTS = "linkedin_contacts"
LINKEDIN_COMPANIES = "linkedin_companies"
GOOGLE_CUSTOMER_MATCH = "google_customer_match"
DIRECT_MAIL = "direct_mail"
AD_LAYOUTS = (LINKEDIN_CONTACTS, LINKEDIN_COMPANIES, GOOGLE_CUSTOMER_MATCH)

# The header rows; sources in the module docstring.
COLUMNS = {
    LINKEDIN_CONTACTS: ("email", "firstname", "lastname", "jobtitle", "employeecompany", "country", "googleaid"),
    LINKEDIN_COMPANIES: ("companyname", "companywebsite", "companyemaildomain", "linkedincompanypageurl",
                         "stocksymbol", "industry", "city", "state", "companycountry", "zipcode"),
    GOOGLE_CUSTOMER_MATCH: ("Email", "Phone", "First Name", "Last Name", "Country", "Zip"),
    DIRECT_MAIL: ("reference", "recipient", "first_name", "last_name", "job_title", "company", "street", "postal_code",
                  "city", "region", "country", "country_name", "subject", "message"),
}
CHUNK_SIZE = 2000
GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


class ExportError(ValueError):
    """The step cannot be exported in that layout (wrong channel, unknown layout)."""


# --- normalisation and hashing (plain functions: no database) -----------------------------------

def sha256_hex(value: str) -> str:
    """The SHA-256 hex digest of a normalised value; "" stays "" (a digest of nothing matches
    nobody and would only look like data)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest() if value else ""


def normalise_email(value: str) -> str:
    """Whitespace removed, lower-cased: `` Ada.Byron@Example.COM `` → ``ada.byron@example.com``."""
    return "".join((value or "").split()).lower()


def google_normalise_email(value: str) -> str:
    """`normalise_email`, and for gmail.com / googlemail.com the dots of the mailbox removed:
    ``Ada.Byron@GoogleMail.com`` → ``adabyron@googlemail.com``."""
    email = normalise_email(value)
    mailbox, at, domain = email.rpartition("@")
    if not at or not mailbox:
        return ""
    if domain in GMAIL_DOMAINS:
        mailbox = mailbox.replace(".", "")
    return f"{mailbox}@{domain}"


def google_normalise_name(value: str) -> str:
    """Whitespace removed, lower-cased: ``Mary Ann`` → ``maryann``."""
    return "".join((value or "").split()).lower()


def e164_phone(value: str) -> str:
    """A stored phone number in E.164 (``+`` and up to 15 digits) when it carries its country
    code: ``+49 (0)30 123-4567`` → ``+49301234567``, ``0044 20 7031 3000`` → ``+442070313000``.
    A national number (``030 1234567``) gives "": its country is not guessed."""
    text = (value or "").strip().replace("(0)", "")
    if text.startswith("00"):
        text = "+" + text[2:]
    if not text.startswith("+"):
        return ""
    digits = re.sub(r"\D", "", text)
    return f"+{digits}" if 8 <= len(digits) <= 15 and not digits.startswith("0") else ""


def country_name(code: str) -> str:
    """The English short name of an ISO alpha-2 code, for an address label ("" if unknown)."""
    country = pycountry.countries.get(alpha_2=(code or "").upper()) if code else None
    return getattr(country, "common_name", None) or getattr(country, "name", "") if country else ""


# --- exports -----------------------------------------------------------------------------------

def _step(workspace, step_id: int, channel: str) -> Step:
    """The workspace's step (another workspace's is Step.DoesNotExist, like a missing one)."""
    step = Step.objects.for_workspace(workspace).select_related("template").get(pk=step_id)
    if step.channel != channel:
        raise ExportError(f"Step {step.pk} is a {step.get_channel_display()} step, not {Channel(channel).label}.")
    return step


def _sent_people(step: Step, consent_field: str):
    """The step's sent touches with a person still reachable on the channel, one per person."""
    return (Touch.objects.for_workspace(step.workspace_id)
            .filter(step=step, status=TouchStatus.SENT, contact__isnull=False, contact__erased_at__isnull=True)
            .exclude(**{f"contact__{consent_field}": ConsentStatus.OPTED_OUT})
            .select_related("contact", "contact__persona", "account", "account__tier")
            .order_by("contact_id", "pk"))


def _once_per_person(touches) -> Iterator[Touch]:
    last = None
    for touch in touches.iterator(chunk_size=CHUNK_SIZE):
        if touch.contact_id != last:
            last = touch.contact_id
            yield touch


def ad_audience_export_rows(*, workspace, step_id: int, layout: str, hash_emails: bool = True) -> Iterator[list[str]]:
    """The header, then one row per person (or account, for ``linkedin_companies``) of an ad
    audience step. Checks the step and layout before the first row: raises Step.DoesNotExist
    or ExportError."""
    if layout not in AD_LAYOUTS:
        raise ExportError(f"Unknown layout {layout!r}; one of {', '.join(AD_LAYOUTS)}.")
    step = _step(workspace, step_id, Channel.AD_AUDIENCE)
    if layout == LINKEDIN_COMPANIES:
        return _linkedin_company_rows(step)
    if layout == LINKEDIN_CONTACTS:
        return _linkedin_contact_rows(step, hash_emails)
    return _google_rows(step)


def ad_audience_export_csv(*, workspace, step_id: int, layout: str, hash_emails: bool = True) -> Iterator[str]:
    """The same as CSV text in pieces (for a StreamingHttpResponse or a file). No BOM: both
    platforms read the header names literally."""
    return csv_stream(ad_audience_export_rows(workspace=workspace, step_id=step_id, layout=layout,
                                              hash_emails=hash_emails))


def _linkedin_contact_rows(step: Step, hash_emails: bool) -> Iterator[list[str]]:
    yield list(COLUMNS[LINKEDIN_CONTACTS])
    for touch in _once_per_person(_sent_people(step, "consent_ads")):
        contact, account = touch.contact, touch.account
        email = normalise_email(contact.email)
        if not email and not (contact.first_name and contact.last_name and account.name):
            continue   # nothing LinkedIn can match on
        yield [sha256_hex(email) if hash_emails else email, contact.first_name.strip(), contact.last_name.strip(),
               contact.job_title.strip(), account.name, contact.country or account.country, ""]


def _google_rows(step: Step) -> Iterator[list[str]]:
    yield list(COLUMNS[GOOGLE_CUSTOMER_MATCH])
    seen: set[str] = set()
    for touch in _once_per_person(_sent_people(step, "consent_ads")):
        contact, account = touch.contact, touch.account
        email = google_normalise_email(contact.email)
        if not email or email in seen:   # two people can share an address once normalised
            continue
        seen.add(email)
        yield [sha256_hex(email), sha256_hex(e164_phone(contact.phone)),
               sha256_hex(google_normalise_name(contact.first_name)),
               sha256_hex(google_normalise_name(contact.last_name)), contact.country or account.country, ""]


def _linkedin_company_rows(step: Step) -> Iterator[list[str]]:
    yield list(COLUMNS[LINKEDIN_COMPANIES])
    touches = (Touch.objects.for_workspace(step.workspace_id).filter(step=step, status=TouchStatus.SENT)
               .select_related("account").order_by("account_id", "pk"))
    last = None
    for touch in touches.iterator(chunk_size=CHUNK_SIZE):
        if touch.account_id == last:
            continue
        last = touch.account_id
        account = touch.account
        yield [account.name, account.domain, "", "", "", account.industry, account.city, account.region,
               account.country, account.postal_code]


LAYOUTS_BY_CHANNEL = {Channel.AD_AUDIENCE: AD_LAYOUTS, Channel.DIRECT_MAIL: (DIRECT_MAIL,)}
LAYOUT_LABELS = {LINKEDIN_CONTACTS: "LinkedIn contact list", LINKEDIN_COMPANIES: "LinkedIn company list",
                 GOOGLE_CUSTOMER_MATCH: "Google Customer Match", DIRECT_MAIL: "Print-and-post file"}


def step_export_csv(*, workspace, step_id: int, layout: str = "") -> tuple[str, Iterator[str]]:
    """A file name and the CSV pieces of a step's export in `layout` (by default the first one
    of its channel: LinkedIn contacts for ad audiences, the vendor file for direct mail). Checks
    the step and layout before the first piece: raises Step.DoesNotExist or ExportError."""
    step = Step.objects.for_workspace(workspace).only("pk", "channel").get(pk=step_id)
    layouts = LAYOUTS_BY_CHANNEL.get(step.channel)
    if not layouts:
        raise ExportError(f"{step.get_channel_display()} steps have no file to export.")
    layout = layout or layouts[0]
    if layout not in layouts:
        raise ExportError(f"Unknown layout {layout!r} for this {step.get_channel_display().lower()} step; "
                          f"one of {', '.join(layouts)}.")
    if layout == DIRECT_MAIL:
        pieces = direct_mail_export_csv(workspace=workspace, step_id=step.pk)
    else:
        pieces = ad_audience_export_csv(workspace=workspace, step_id=step.pk, layout=layout)
    return f"step-{step.pk}-{layout.replace('_', '-')}.csv", pieces


def direct_mail_export_rows(*, workspace, step_id: int) -> Iterator[list[str]]:
    """The header, then one row per person of a direct-mail step with the rendered piece.
    Checks the step before the first row: raises Step.DoesNotExist or ExportError."""
    step = _step(workspace, step_id, Channel.DIRECT_MAIL)
    return _direct_mail_rows(step)


def direct_mail_export_csv(*, workspace, step_id: int, bom: bool = True) -> Iterator[str]:
    """CSV text in pieces; with a BOM by default, since vendors tend to open it in Excel."""
    return csv_stream(direct_mail_export_rows(workspace=workspace, step_id=step_id), bom=bom)


def _direct_mail_rows(step: Step) -> Iterator[list[str]]:
    yield list(COLUMNS[DIRECT_MAIL])
    for touch in _once_per_person(_sent_people(step, "consent_direct_mail")):
        contact, account = touch.contact, touch.account
        subject = message = ""
        if step.template is not None:
            rendered = render_touch(template=step.template, key=touch.key, account=account, contact=contact)
            subject, message = rendered.subject, rendered.body_text
        yield [f"touch-{touch.pk}", f"{contact.first_name} {contact.last_name}".strip(), contact.first_name,
               contact.last_name, contact.job_title, account.name, account.street, account.postal_code, account.city,
               account.region, account.country, country_name(account.country), subject, message]
