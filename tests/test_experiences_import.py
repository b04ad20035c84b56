"""`flask experiences import FILE` (issue 17): hosts' sessions from a CSV or XLSX, each row scheduled through
`experiences.services.schedule`; every bad row reported by line and nothing written when one is bad; a session
already there (same product and start) is reported, never made twice."""
import csv
import datetime as dt
import os
import threading

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from marketplace import ocop
from marketplace.audit import AuditLog
from marketplace.experiences.importer import COLUMNS, ImportRefused, import_file
from marketplace.experiences.models import ExperienceSession
from marketplace.extensions import db
from marketplace.unit_of_work import run

from .helpers import officer


@pytest.fixture
def homestay(make):
    """A 4★ homestay in Sơn La (group VI) and a tea of the same host that is not an experience."""
    seller = make.seller(legal_name="HTX Du lịch cộng đồng Bản Áng", province_code=14)
    stay = make.listed(seller=seller, name="Homestay Bản Áng", price_vnd=450_000, group_code="VI")
    tea = make.listed(seller=seller, name="Trà Shan tuyết", price_vnd=150_000, group_code="I.5")
    return stay, tea


def in_days(days: int, hour: int = 8, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(ocop.today() + dt.timedelta(days=days), dt.time(hour, minute), ocop.VN_TZ)


def row(product, **changes) -> dict:
    return {"registration_no": product.seller.registration_no, "product_name": product.name,
            "starts_at": in_days(5).strftime("%Y-%m-%d %H:%M"), "duration_minutes": "1440", "capacity": "10",
            "price_vnd": "450000", "languages": "vi;en", "meeting_point_vi": "Nhà văn hoá bản Áng, Mộc Châu",
            "meeting_point_en": "Ang village hall, Moc Chau"} | changes


def write_csv(path, rows, columns=COLUMNS):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return str(path)


def import_(app, path, *options):
    return app.test_cli_runner().invoke(args=["experiences", "import", path, "--lang", "en", *options])


def sessions() -> list[ExperienceSession]:
    return db.session.scalars(select(ExperienceSession).order_by(ExperienceSession.starts_at)).all()


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_a_good_csv_makes_one_session_a_row_at_the_vietnam_time_given(app, homestay, tmp_path):
    stay, _tea = homestay
    path = write_csv(tmp_path / "sessions.csv", [
        row(stay),
        row(stay, starts_at=in_days(12, 14, 30).strftime("%Y-%m-%d %H:%M"), duration_minutes="180",
            capacity="6", price_vnd="350.000", languages="vi; KO ;vi", meeting_point_en=""),
    ])
    result = import_(app, path)
    assert result.exit_code == 0, result.output
    assert "2 rows read. Sessions: 2 new." in result.output
    first, second = sessions()
    assert first.starts_at == in_days(5).astimezone(dt.UTC) and first.starts_at.hour == (8 - 7) % 24
    assert (first.product_id, first.duration_minutes, first.capacity, first.max_party, first.price_vnd,
            first.languages, first.meeting_point_en) == (stay.id, 1440, 10, 10, 450_000, "vi;en",
                                                         "Ang village hall, Moc Chau")
    assert second.starts_at == dt.datetime.combine(in_days(12).date(), dt.time(7, 30), dt.UTC)
    assert (second.capacity, second.price_vnd, second.languages, second.meeting_point_en) == (6, 350_000, "vi;ko",
                                                                                              None)
    entries = db.session.scalars(select(AuditLog).order_by(AuditLog.id)).all()  # one a session, no account named
    assert [(e.action, e.actor_id, e.object_id, e.after["sessions"]) for e in entries] == [
        ("experience.schedule", None, stay.id, [first.id]), ("experience.schedule", None, stay.id, [second.id])]


def test_a_good_xlsx_reads_typed_dates_times_and_numbers(app, homestay, tmp_path):
    stay, _tea = homestay
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    values = row(stay)
    sheet.append([values["registration_no"], stay.name, in_days(6, 9).replace(tzinfo=None), 1440, 8, 450000,
                  "vi;en", values["meeting_point_vi"], None])  # the start as Excel keeps a date with a time
    sheet.append([values["registration_no"], stay.name, in_days(7, 9).strftime("%Y-%m-%d %H:%M"), 120.0, 4,
                  "300.000 ₫", "en", values["meeting_point_vi"], "Village hall"])
    workbook.save(tmp_path / "sessions.xlsx")
    result = import_(app, str(tmp_path / "sessions.xlsx"))
    assert result.exit_code == 0, result.output
    assert [(s.starts_at, s.duration_minutes, s.capacity, s.price_vnd, s.languages) for s in sessions()] == [
        (in_days(6, 9).astimezone(dt.UTC), 1440, 8, 450_000, "vi;en"),
        (in_days(7, 9).astimezone(dt.UTC), 120, 4, 300_000, "en")]


def test_every_bad_row_is_reported_by_line_and_nothing_is_imported(app, homestay, make, tmp_path):
    stay, tea = homestay
    closed = make.listed(seller=stay.seller, name="Homestay cũ", group_code="VI")
    closed.status = "archived"
    db.session.commit()
    later = in_days(9).strftime("%Y-%m-%d %H:%M")
    rows = [
        row(stay),  # line 2: good, and then undone with the rest
        row(stay, registration_no="0100109106"),  # 3: no such seller
        row(stay, product_name="Homestay Bản Ang"),  # 4: no such product of this seller
        row(tea),  # 5: not an experience
        row(closed),  # 6: not on sale
        row(stay, starts_at="05/06/2030 08:00"),  # 7: not the format
        row(stay, starts_at=in_days(0, 1).strftime("%Y-%m-%d %H:%M")),  # 8: past the booking cutoff
        row(stay, starts_at=later, duration_minutes="một ngày", price_vnd="-5"),  # 9: numbers
        row(stay, starts_at=in_days(10).strftime("%Y-%m-%d %H:%M"), languages="vi;de"),  # 10: a language
        row(stay, starts_at=in_days(11).strftime("%Y-%m-%d %H:%M"), capacity="0"),  # 11: places
        row(stay, starts_at=in_days(12).strftime("%Y-%m-%d %H:%M"), capacity="501"),  # 12: places
        row(stay, meeting_point_vi=""),  # 13: missing, and the same start as line 2
        row(stay),  # 14: the same session as line 2
    ]
    result = import_(app, write_csv(tmp_path / "bad.csv", rows))
    assert result.exit_code == 1
    output = result.output
    assert "Nothing was imported: 12 of 13 rows have errors." in output
    lines = {int(text.split(":")[0].split()[-1]): text for text in output.splitlines() if text.startswith("  line")}
    assert sorted(lines) == list(range(3, 15))
    assert "no seller has the registration number “0100109106”" in lines[3]
    assert "has no product named “Homestay Bản Ang”" in lines[4]
    assert "“Trà Shan tuyết” is not an experience" in lines[5]
    assert "“Homestay cũ” is not on sale now (the listing is not active)" in lines[6]
    assert "starts_at “05/06/2030 08:00” must be a date and time, YYYY-MM-DD HH:MM" in lines[7]
    assert "past or too soon" in lines[8] and "12 hours" in lines[8]
    assert "duration_minutes “một ngày” must be a whole number from 15 to 20160" in lines[9]
    assert "price_vnd “-5” must be a whole number of đồng" in lines[9]
    assert "languages “vi;de” must be codes among vi, en, ko, zh, ja, fr" in lines[10]
    assert "capacity “0” must be a whole number from 1 to 500" in lines[11]
    assert "capacity “501”" in lines[12]
    assert "meeting_point_vi is missing" in lines[13]
    assert "the same session (product and start) is on line 2 too" in lines[14]
    assert count(ExperienceSession) == 0 and count(AuditLog) == 0  # line 2's session and audit undone


def test_the_same_file_twice_imports_nothing_the_second_time(app, homestay, tmp_path):
    stay, _tea = homestay
    path = write_csv(tmp_path / "sessions.csv", [row(stay), row(stay, starts_at=in_days(6).strftime("%Y-%m-%d %H:%M"))])
    assert import_(app, path).exit_code == 0
    first = sessions()
    again = import_(app, path)
    assert again.exit_code == 1 and "Nothing was imported: 2 of 2 rows have errors." in again.output
    assert (f"line 2: “Homestay Bản Áng” has a session starting at {in_days(5):%Y-%m-%d %H:%M} already "
            f"(session {first[0].id})") in again.output
    db.session.expire_all()
    assert [s.id for s in sessions()] == [s.id for s in first]
    first[0].state = "cancelled"  # a session the host cancelled is not made again either
    db.session.commit()
    assert import_(app, path).exit_code == 1 and count(ExperienceSession) == 2


def test_a_dry_run_checks_and_counts_and_writes_nothing(app, homestay, tmp_path):
    stay, _tea = homestay
    result = import_(app, write_csv(tmp_path / "sessions.csv", [row(stay)]), "--dry-run")
    assert result.exit_code == 0 and "1 rows read. Sessions: 1 new." in result.output
    assert "Dry run: nothing was written." in result.output
    assert count(ExperienceSession) == 0 and count(AuditLog) == 0


@pytest.mark.parametrize(("columns", "said"), [
    (COLUMNS[:-1], "missing columns: meeting_point_en"),
    ((*COLUMNS[:-1], "meeting_point_eng"), "missing columns: meeting_point_en"),
    ((*COLUMNS, "notes"), "unknown columns: notes"),
    ((*COLUMNS, "capacity"), "columns named twice: capacity"),
])
def test_a_file_without_exactly_the_header_is_refused_whole(app, homestay, tmp_path, columns, said):
    stay, _tea = homestay
    values = row(stay) | {"notes": "x"}
    result = import_(app, write_csv(tmp_path / "sessions.csv", [values], columns))
    assert result.exit_code != 0 and f"Nothing was imported: {said}" in result.output
    assert count(ExperienceSession) == 0


def test_a_row_cannot_schedule_another_sellers_product(app, homestay, make, tmp_path):
    stay, _tea = homestay
    potter = make.seller(legal_name="HTX Gốm Bát Tràng", province_code=1)
    pottery = make.listed(seller=potter, name="Trải nghiệm làm gốm", group_code="VI")
    path = write_csv(tmp_path / "sessions.csv", [
        row(stay, product_name=pottery.name),  # the homestay's host naming the potter's workshop
        row(pottery, product_name=stay.name),  # and the other way round
    ])
    result = import_(app, path)
    assert result.exit_code == 1
    assert f"line 2: seller {stay.seller.registration_no} has no product named “Trải nghiệm làm gốm”" in result.output
    assert f"line 3: seller {potter.registration_no} has no product named “Homestay Bản Áng”" in result.output
    assert count(ExperienceSession) == 0


def test_an_office_account_imports_for_its_province_only_and_is_named_in_the_audit(app, homestay, make, tmp_path):
    stay, _tea = homestay
    potter = make.seller(legal_name="HTX Gốm Bát Tràng", province_code=1)
    pottery = make.listed(seller=potter, name="Trải nghiệm làm gốm", group_code="VI")
    son_la = officer(province_code=14, email="office14@ocop.vn")
    both = write_csv(tmp_path / "both.csv", [row(stay), row(pottery)])
    refused = import_(app, both, "--as", "office14@ocop.vn")
    assert refused.exit_code == 1 and f"line 3: seller {potter.registration_no} belongs to Hà Nội" in refused.output
    assert count(ExperienceSession) == 0
    assert import_(app, write_csv(tmp_path / "own.csv", [row(stay)]), "--as", "OFFICE14@ocop.vn").exit_code == 0
    [entry] = db.session.scalars(select(AuditLog)).all()
    assert (entry.action, entry.actor_id) == ("experience.schedule", son_la.id)
    not_office = import_(app, both, "--as", f"seller{stay.seller.id}@example.vn")
    assert not_office.exit_code != 0 and "is not an active office account" in not_office.output


@pytest.mark.skipif(not (os.environ.get("DATABASE_URL") or "").startswith("postgres"),
                    reason="two writers at once: PostgreSQL (SQLite has one writer)")
def test_the_same_file_imported_twice_at_the_same_moment_makes_each_session_once(app, homestay, tmp_path):
    stay, _tea = homestay
    path = write_csv(tmp_path / "sessions.csv", [row(stay, starts_at=in_days(5 + n).strftime("%Y-%m-%d %H:%M"))
                                                 for n in range(5)])
    gate, answers = threading.Barrier(2), []

    def import_once():
        with app.app_context():
            gate.wait()
            try:
                answers.append(run(import_file, path).created)
            except ImportRefused as refused:
                answers.append(-len(refused.result.errors))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=import_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [-5, 5]  # one made the five sessions, the other found every one made
    assert count(ExperienceSession) == 5
