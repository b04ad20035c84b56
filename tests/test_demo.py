"""`flask demo load`: a real-looking catalogue, with the products that must stay hidden hidden."""
from sqlalchemy import func

from marketplace import ocop
from marketplace.certification.services import is_listable, listable_select
from marketplace.demo import data
from marketplace.extensions import db
from marketplace.products.models import Product
from marketplace.sellers.models import Seller


def test_demo_load_fills_the_shop_and_hides_what_must_be_hidden(app, client):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "DEMO DATA" in result.output

    listed = db.session.execute(listable_select(Product, Seller)).all()
    assert len(listed) >= 80
    assert {ocop.top_group(p.group_code) for p, _ in listed} == {"I", "II", "III", "IV", "V", "VI"}
    assert len({s.province_code for _, s in listed}) >= 15
    assert len({s.id for _, s in listed}) >= 25
    assert {s.entity_type for _, s in listed} == set(ocop.ENTITY_TYPES)
    assert all(p.images for p, _ in listed)

    hidden_names = [h[2] for h in data.HIDDEN] + [data.PENDING_PRODUCT[1]]
    for name in hidden_names:
        product = db.session.scalar(db.select(Product).filter_by(name=name))
        assert product is not None and not is_listable(product), name
        assert client.get(f"/products/{product.id}").status_code == 404

    page = client.get("/").get_data(as_text=True)
    assert "dữ liệu mẫu" in page  # the shop says it is demo data
    points = client.get("/points").get_data(as_text=True)
    assert "Sân bay Nội Bài" in points and "Đại Nội Huế" in points
    from marketplace.inventory.models import SalesPoint
    airport = db.session.scalar(db.select(SalesPoint).filter_by(code="HN-NB1"))
    point_page = client.get(f"/points/{airport.id}").get_data(as_text=True)
    assert "Đang có trên kệ" in point_page and "/products/" in point_page


def test_demo_load_twice_changes_nothing(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["demo", "load"])
    before = db.session.scalar(db.select(func.count(Product.id)))
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0 and "0 products and 0 decisions new" in second.output
    assert db.session.scalar(db.select(func.count(Product.id))) == before


def test_the_demo_points_are_where_a_local_would_look_for_them(app):
    """Each point's ward is in its own province, no tour sits on a shelf, and each point holds its own
    province's specialities (Huế sesame candy at the Huế point)."""
    from marketplace.inventory.models import SalesPoint, StockLevel
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    for point in db.session.scalars(db.select(SalesPoint)):
        assert ocop.ward(point.ward_code).province_code == point.province_code, point.code
        shelf = db.session.scalars(db.select(Product).join(StockLevel, StockLevel.product_id == Product.id)
                                   .where(StockLevel.location_id == point.location_id, StockLevel.on_hand > 0)).all()
        assert not [p.name for p in shelf if p.is_service], point.code
        local = db.session.scalars(db.select(Product).join(Seller)
                                   .where(Seller.province_code == point.province_code)).all()
        assert {p.id for p in local if is_listable(p) and not p.is_service} <= {p.id for p in shelf}, point.code
    airport = db.session.scalar(db.select(SalesPoint).filter_by(code="HN-NB1"))
    assert ocop.ward(airport.ward_code).name == "Xã Nội Bài"
    hue = db.session.scalar(db.select(SalesPoint).filter_by(code="HUE-DN1"))
    candy = db.session.scalar(db.select(Product).filter_by(name="Mè xửng Huế"))
    assert db.session.scalar(db.select(StockLevel.on_hand).filter_by(location_id=hue.location_id,
                                                                      product_id=candy.id)) > 0
