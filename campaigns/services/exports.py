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
with a quote, as in every export of the platform):

``linkedin_contacts`` — LinkedIn Matched Audiences, contact list template::

    email,firstname,lastname,jobtitle,employeecompany,country,googleaid

  ``email`` is the SHA-256 hex digest of the address trimmed and lower-cased (LinkedIn accepts
  plain or SHA-256-hashed addresses in this column and hashes plain ones in the browser anyway;
  ``hash_emails=False`` writes them plain). ``employeecompany`` is the account's name,
  ``country`` the person's ISO 3166-1 alpha-2 code (else the account's); we hold no mobile
  advertising ids, so ``googleaid`` is empty. LinkedIn also matches on first name, last name and
  company, so a person without an address is kept when those three are known.

``linkedin_companies`` — LinkedIn Matched Audiences, company list template (the accounts with at
least one sent touch in the step)::

    companyname,companywebsitedomain,companyemaildomain,linkedincompanypageurl,stocksymbol,industry,city,state,companycountry,zipcode

  Filled from the account: name, primary domain, industry, city, region (as ``state``) and
  country. We do not store an e-mail domain distinct from the website, a LinkedIn page URL, a
  ticker or a postcode, so those cells are empty (never guessed).

  LinkedIn asks that the headers of its templates are not changed. The two header rows above
  are those of the CSV templates Campaign Manager offers for download, as we know them; the
  public sources we could consult while writing this describe the fields but do not reproduce
  the files — check them against a freshly downloaded template before the first upload.

``google_customer_match`` — Google Ads Customer Match, hashed upload (Google Ads help
"Format your customer data file" / "Formatting guidelines for uploading hashed data")::

    Email,First Name,Last Name,Country,Zip

  ``Email``, ``First Name`` and ``Last Name`` are SHA-256 hex digests of normalised values:
  all whitespace removed, lower-cased and, for gmail.com and googlemail.com addresses, the dots
  before the ``@`` removed (Google's normalisation for user-provided data in the Google Ads and
  Campaign Manager 360 APIs; Gmail ignores those dots). ``Country`` (ISO alpha-2) and ``Zip``
  are not hashed, as Google requires. We store no postcodes, so ``Zip`` is empty and Google
  matches on the e-mail address; people without an address are left out. An empty value is
  written empty, never as the digest of "".

``direct_mail`` — for a print-and-post vendor (our own layout)::

    reference,first_name,last_name,full_name,job_title,company,city,region,country,subject,message

  ``reference`` names the touch (``touch-<id>``) so returns can be traced back. **The platform
  stores no street address or postcode** — accounts have city, region and country, contacts
  only a country — so the vendor cannot post from this file alone; the address columns carry
  what exists and nothing is made up. ``subject`` and ``message`` are the step's template
  rendered for the person (the same A/B arm and DISC variant as when the touch was sent),
  empty when the step has no template. Rendering reads each account's latest scores and
  insights, so this export costs a few queries per row; a template broken since the send stops
  the export with its error rather than print half a letter.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator

from accounts.services.exports import csv_stream
from campaigns.models import Channel, Step, Touch, TouchStatus
from campaigns.services.content import render_touch
from contacts.models import ConsentStatus

LINKEDIN_CONTACTS = "linkedin_contacts"
LINKEDIN_COMPANIES = "linkedin_companies"
GOOGLE_CUSTOMER_MATCH = "google_customer_match"
DIRECT_MAIL = "direct_mail"
AD_LAYOUTS = (LINKEDIN_CONTACTS, LINKEDIN_COMPANIES, GOOGLE_CUSTOMER_MATCH)

COLUMNS = {
    LINKEDIN_CONTACTS: ("email", "firstname", "lastname", "jobtitle", "employeecompany", "country", "googleaid"),
    LINKEDIN_COMPANIES: ("companyname", "companywebsitedomain", "companyemaildomain", "linkedincompanypageurl",
                         "stocksymbol", "industry", "city", "state", "companycountry", "zipcode"),
    GOOGLE_CUSTOMER_MATCH: ("Email", "First Name", "Last Name", "Country", "Zip"),
    DIRECT_MAIL: ("reference", "first_name", "last_name", "full_name", "job_title", "company", "city", "region",
                  "country", "subject", "message"),
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
        yield [sha256_hex(email), sha256_hex(google_normalise_name(contact.first_name)),
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
               account.country, ""]


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
        yield [f"touch-{touch.pk}", contact.first_name, contact.last_name,
               f"{contact.first_name} {contact.last_name}".strip(), contact.job_title, account.name, account.city,
               account.region, contact.country or account.country, subject, message]
