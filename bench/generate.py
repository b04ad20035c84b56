"""What the benchmarks share: a throw-away shop (instance directory, database, migrations) and a generated
catalogue of N products with Vietnamese names, inserted in bulk (100,000 in seconds).

    from bench.generate import generate, scratch_app
    app, instance, url = scratch_app(args.database_url, "ocop-bench-")
    generate(app, args.products)
"""
from __future__ import annotations

import datetime as dt
import random
import socket
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SYLLABLES = ["Trà", "Cà phê", "Gạo", "Mật ong", "Nước mắm", "Quế", "Hồi", "Miến", "Chả", "Bánh", "Rượu", "Lụa",
             "Gốm", "Tinh dầu", "Tiêu", "Hạt điều", "Yến", "Nem", "Kẹo", "Mứt"]
PLACES = ["Tân Cương", "Mộc Châu", "Sơn La", "Phú Quốc", "Văn Yên", "Lạng Sơn", "Bát Tràng", "Vạn Phúc", "Hạ Long",
          "Đà Lạt", "Buôn Ma Thuột", "Chư Sê", "Tri Tôn", "Cà Mau", "Huế", "Hưng Yên", "Nghệ An", "Lý Sơn"]
SUBGROUPS = ["I.1", "I.2", "I.3", "I.4", "I.5", "I.6", "II.1", "II.2", "III.1", "III.2", "III.3", "IV.1", "IV.2",
             "V.1", "V.2", "V.3", "VI"]
CHUNK = 10000  # rows per INSERT batch: bounded memory on the database side, few round trips


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scratch_app(database_url: str | None, prefix: str, **config):
    """A development app on a new temporary instance directory, migrated: SQLite there, or the given
    (empty) database. Answers (app, instance directory, database URL)."""
    from flask_migrate import upgrade

    from config import database_url as normalized
    from marketplace import create_app

    instance = Path(tempfile.mkdtemp(prefix=prefix))
    url = normalized(database_url) or f"sqlite:///{instance}/bench.sqlite"
    app = create_app("development", {"INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": url,
                                     "UPLOAD_DIR": str(instance / "uploads"), "PRIVATE_UPLOAD_DIR": str(instance / "private"),
                                     "SEARCH_INDEX_DIR": str(instance / "search-index")} | config)
    with app.app_context():
        upgrade()
    return app, instance, url


def _sellers(rng: random.Random, count: int) -> list[dict]:
    from stdnum.vn import mst

    from marketplace import ocop

    sellers, seed = [], 320000000
    entity_types, provinces = list(ocop.ENTITY_TYPES), ocop.PROVINCES
    for i in range(count):
        while len(mst.calc_check_digit(f"{seed:09d}")) != 1:
            seed += 1
        sellers.append(dict(id=i + 1, entity_type=rng.choice(entity_types), legal_name=f"HTX {rng.choice(PLACES)} số {i}",
                            registration_no=f"{seed:09d}" + mst.calc_check_digit(f"{seed:09d}"),
                            province_code=int(rng.choice(provinces).code), verification_status="verified",
                            women_led=rng.random() < .4, ethnic_minority_led=rng.random() < .2))
        seed += 1
    return sellers


def generate(app, count: int) -> None:
    """`count` active products of `count` / 40 verified sellers, each with one recognition (none superseded):
    about 78 % listable (the rest are 2★ or expired). The same catalogue for the same count, on either
    database; rows go in through Core's executemany in chunks (no ORM objects)."""
    from marketplace import ocop
    from marketplace.certification.models import EvaluationRecord
    from marketplace.extensions import db
    from marketplace.products.models import Product
    from marketplace.sellers.models import Seller

    rng = random.Random(2)
    today = ocop.today()
    scores = {2: 45, 3: 60, 4: 80, 5: 95}
    with app.app_context():
        sellers = _sellers(rng, max(1, count // 40))
        db.session.execute(Seller.__table__.insert(), sellers)
        # Decisions fall on one of 1,200 days: the recognitions' windows and legal bases once per day.
        days = {n: today - dt.timedelta(days=n) for n in range(1, 1201)}
        windows = {n: (ocop.default_valid_until(d), ocop.legal_basis_for(d)) for n, d in days.items()}
        products, records = [], []
        for i in range(count):
            stars = rng.choice([3, 3, 3, 4, 4, 5, 2])
            n = rng.randint(1, 1200)
            products.append(dict(id=i + 1, seller_id=rng.randint(1, len(sellers)), group_code=rng.choice(SUBGROUPS),
                                 name=f"{rng.choice(SYLLABLES)} {rng.choice(PLACES)} {i}", unit="hộp",
                                 price_vnd=rng.randint(2, 300) * 5000, status="active"))
            records.append(dict(product_id=i + 1, stars=stars, score=scores[stars], decision_no=f"{i}/QĐ-UBND",
                                decision_date=days[n], issuer="UBND tỉnh",
                                level="national" if stars == 5 else "provincial",
                                valid_until=windows[n][0], legal_basis=windows[n][1]))
        for table, rows in ((Product.__table__, products), (EvaluationRecord.__table__, records)):
            for start in range(0, len(rows), CHUNK):
                db.session.execute(table.insert(), rows[start:start + CHUNK])
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
