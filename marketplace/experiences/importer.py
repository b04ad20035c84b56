"""The sessions import: `flask experiences import FILE`, a CSV or XLSX with exactly the header
`registration_no,product_name,starts_at,duration_minutes,capacity,price_vnd,languages,meeting_point_vi,meeting_point_en`.

Each row is one session of a seller's experience (its group VI product, named as the catalogue import names it:
the seller by registration number, the product by that seller and its exact name), starting at `starts_at`
(`YYYY-MM-DD HH:MM`, Vietnam time), guided in `languages` (`vi;en`). Every row is scheduled through
`services.schedule`, the one home of the rules (a listable group VI product of that seller, a start after the
booking cutoff, languages, party sizes); what it refuses is that row's error.

The file is one unit of work: every bad row is reported by line, and when one is bad `import_rows` raises
ImportRefused, so that the caller's unit of work undoes the sessions (and audit entries) the good rows made.
A row naming a session that exists already (the same product and start, in whatever state: one the host
cancelled too) is reported, not made again: the same file imported twice adds nothing the second time.

Who acts: the operator's command line (no account: the audit entries have no actor, "the shop"), or an office
account (`officer`): the entries name it, and its province bounds the rows as on the office's pages. Never the
seller's own login: the audit says who really scheduled the sessions.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import select

from .. import ocop
from ..catalog import tables
from ..catalog.importer import RowError, parse_price
from ..certification.services import unlisted_reasons
from ..extensions import db
from ..products.models import Product
from ..scope import covers
from ..sellers.models import Seller
from ..unit_of_work import lock
from .models import LANGUAGES, MAX_CAPACITY, MAX_DURATION_MINUTES, MIN_DURATION_MINUTES, ExperienceSession
from .services import ExperienceError, SessionPlan, cutoff, schedule

COLUMNS = ("registration_no", "product_name", "starts_at", "duration_minutes", "capacity", "price_vnd", "languages",
           "meeting_point_vi", "meeting_point_en")
REQUIRED = ("registration_no", "product_name", "starts_at", "duration_minutes", "capacity", "price_vnd", "languages",
            "meeting_point_vi")
MAX_ROWS = 2_000
START_FORMAT = "%Y-%m-%d %H:%M"
LONGEST_MEETING_POINT = ExperienceSession.meeting_point_vi.type.length


@dataclass(frozen=True)
class ActingFor:
    """The host `schedule` is given for a row: the row's seller, acted for by the office account `id` (None:
    the operator's command line, audited without an actor)."""
    seller_id: int
    id: int | None


@dataclass
class SessionImportResult:
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    created: int = 0


class ImportRefused(Exception):
    """A file with at least one bad row: `result.errors` says every one. Raised, so that the unit of work
    running the import undoes what the good rows wrote: nothing of the file stays."""

    def __init__(self, result: SessionImportResult):
        super().__init__(f"{len(result.errors)} of {result.rows} rows refused")
        self.result = result


@dataclass
class _Row:
    line: int
    product: Product
    plan: SessionPlan

    @property
    def key(self) -> tuple[int, dt.datetime]:
        return self.product.id, self.plan.starts_at.astimezone(dt.UTC)


def read_table(path: str | Path) -> list[tuple[int, dict]]:
    """(line number, {column: text}) for each non-empty row; a header other than COLUMNS is refused whole."""
    return tables.read_table(path, COLUMNS, max_columns=len(COLUMNS) + 20, max_rows=MAX_ROWS, exact=True)


# --- Reading a row ----------------------------------------------------------------------------

def parse_start(text: str) -> dt.datetime:
    """`YYYY-MM-DD HH:MM` in Vietnam time, as an aware moment."""
    try:
        moment = dt.datetime.strptime(text, START_FORMAT)
    except ValueError:
        moment = None
    if moment is None or not 2000 <= moment.year <= 2100:  # nor year 1, which no time zone can hold
        raise ValueError(_("starts_at “%(value)s” must be a date and time, YYYY-MM-DD HH:MM (Vietnam time)",
                           value=text))
    return moment.replace(tzinfo=ocop.VN_TZ)


def _whole(column: str, least: int, most: int):
    def parse(text: str) -> int:
        if not (text.isascii() and text.isdigit()) or not least <= int(text) <= most:
            raise ValueError(_("%(column)s “%(value)s” must be a whole number from %(least)d to %(most)d",
                               column=column, value=text, least=least, most=most))
        return int(text)
    return parse


def parse_languages(text: str) -> list[str]:
    """`vi;en` as codes, each once, in the file's order (whether each is a language is `schedule`'s to say)."""
    return list(dict.fromkeys(code.strip().lower() for code in text.split(";") if code.strip()))


class _Sellers:
    """The sellers the rows name, each read once, within the acting officer's province (None: the operator)."""

    def __init__(self, officer=None):
        self.officer = officer
        self.found: dict[str, Seller | None] = {}

    def named(self, typed: str, reasons: list[str]) -> Seller | None:
        if typed not in self.found:
            try:  # typed as the join form takes it: spaces, dots, a branch's dash or none
                code = ocop.normalize_registration_no("household", typed)
            except ValueError:
                code = typed
            self.found[typed] = db.session.scalar(select(Seller).where(Seller.registration_no.in_({code, typed})))
        seller = self.found[typed]
        if seller is None:
            reasons.append(_("no seller has the registration number “%(value)s”", value=typed))
        elif self.officer is not None and not covers(self.officer, seller.province_code):
            reasons.append(_("seller %(number)s belongs to %(province)s", number=typed,
                             province=ocop.short_province_name(seller.province_code)))
            return None
        return seller


def _check_row(line: int, values: dict, sellers: _Sellers) -> tuple[_Row | None, list[str]]:
    reasons = tables.nul_reasons(values)
    if reasons:
        return None, reasons
    value = tables.cell_reader(values, REQUIRED, reasons)

    registration_no, name = value("registration_no"), value("product_name")
    seller = sellers.named(registration_no, reasons) if registration_no else None
    product = None
    if seller is not None and name:
        product = db.session.scalar(select(Product).filter_by(seller_id=seller.id, name=name))
        if product is None:
            reasons.append(_("seller %(number)s has no product named “%(name)s”", number=registration_no, name=name))
    starts_at = value("starts_at", parse_start)
    duration = value("duration_minutes", _whole("duration_minutes", MIN_DURATION_MINUTES, MAX_DURATION_MINUTES))
    capacity = value("capacity", _whole("capacity", 1, MAX_CAPACITY))
    price = value("price_vnd", parse_price)
    languages = value("languages", parse_languages)
    meeting_point, meeting_point_en = value("meeting_point_vi"), value("meeting_point_en")
    for column, text in (("meeting_point_vi", meeting_point), ("meeting_point_en", meeting_point_en)):
        if text is not None and len(text) > LONGEST_MEETING_POINT:
            reasons.append(_("%(column)s is longer than %(n)d characters", column=column, n=LONGEST_MEETING_POINT))
    if reasons:
        return None, reasons
    return _Row(line, product, SessionPlan(starts_at=starts_at, duration_minutes=duration, capacity=capacity,
                                           price_vnd=price, languages=languages, meeting_point_vi=meeting_point,
                                           meeting_point_en=meeting_point_en)), []


def _refusal(refused: ExperienceError, row: _Row) -> str:
    """What `schedule`'s refusal means for this row."""
    name = row.product.name
    if refused.code == "not_experience":
        return _("“%(name)s” is not an experience: only a community-tourism product (group VI) has sessions",
                 name=name)
    if refused.code == "not_listed":
        return _("“%(name)s” is not on sale now (%(why)s)", name=name, why="; ".join(unlisted_reasons(row.product)))
    if refused.code == "past":
        return _("starts_at %(value)s is past or too soon: a session must start after booking closes, "
                 "%(hours)d hours before it", value=row.plan.starts_at.strftime(START_FORMAT),
                 hours=int(cutoff().total_seconds() // 3600))
    if refused.code == "far":
        return _("starts_at %(value)s is more than two years ahead", value=row.plan.starts_at.strftime(START_FORMAT))
    if refused.code == "languages":
        return _("languages “%(value)s” must be codes among %(codes)s, separated by ;",
                 value=";".join(row.plan.languages), codes=", ".join(LANGUAGES))
    # party, weeks: the file has no party sizes (one to all the places) and one week; capacity is checked above
    raise AssertionError(f"unexpected refusal {refused.code}")


# --- The whole file -----------------------------------------------------------------------------

def import_rows(rows: list[tuple[int, dict]], officer=None) -> SessionImportResult:
    """Every row checked, then scheduled, in the caller's unit of work: all of the file, or nothing of it
    (ImportRefused, with every bad row, after the good ones were scheduled: the caller's `run` or `rehearse`
    rolls them back). `officer` is the acting office account (its province bounds the rows); None is the
    operator's command line, nationwide."""
    result = SessionImportResult(rows=len(rows))
    sellers, checked, bad = _Sellers(officer), [], {}
    for line, values in rows:
        row, reasons = _check_row(line, values, sellers)
        if reasons:
            bad[line] = reasons
        else:
            checked.append(row)
    # Two imports of one file at the same moment: the second waits here, then finds the first's sessions.
    for product_id in sorted({row.product.id for row in checked}):
        lock(f"experience-sessions:{product_id}")
    ready, first_line = [], {}
    for row in checked:
        if row.key in first_line:
            bad[row.line] = [_("the same session (product and start) is on line %(line)d too",
                               line=first_line[row.key])]
            continue
        first_line[row.key] = row.line
        existing = db.session.scalar(select(ExperienceSession.id).where(
            ExperienceSession.product_id == row.key[0], ExperienceSession.starts_at == row.key[1]))
        if existing is not None:
            bad[row.line] = [_("“%(name)s” has a session starting at %(start)s already (session %(id)d)",
                               name=row.product.name, start=row.plan.starts_at.strftime(START_FORMAT), id=existing)]
        else:
            ready.append(row)
    for row in ready:
        try:
            schedule(ActingFor(row.product.seller_id, getattr(officer, "id", None)), row.product, row.plan, 1)
        except ExperienceError as refused:  # refused before it writes anything
            bad[row.line] = [_refusal(refused, row)]
        else:
            result.created += 1
    if bad:  # the good rows' sessions and audit entries go with the caller's rollback
        result.created = 0
        result.errors = [RowError(line, bad[line]) for line in sorted(bad)]
        raise ImportRefused(result)
    return result


def import_file(path: str | Path, officer=None) -> SessionImportResult:
    return import_rows(read_table(path), officer=officer)
