"""Favourites: a guest keeps them in the browser, a shopper in the account, joined at sign-in like the cart;
kept once, only what is on sale is shown."""
from sqlalchemy import func, select

from marketplace.accounts.services import create_user
from marketplace.certification.services import revoke
from marketplace.extensions import db
from marketplace.wishlist.models import WishlistItem

from .helpers import PASSWORD, at_once, clients, sign_in, twin


def _kept():
    return db.session.scalar(select(func.count(WishlistItem.id)))


def test_a_guest_keeps_favourites_and_they_join_the_account_at_sign_in(client, make):
    tea = make.listed(name="Trà Tân Cương")
    honey = make.listed(name="Mật ong bạc hà")
    assert "Giữ vào yêu thích" in client.get(f"/products/{tea.id}").get_data(as_text=True)
    for product in (tea, honey, tea):
        assert client.post("/favourites/add", data={"product_id": product.id}).status_code == 303
    page = client.get("/favourites").get_data(as_text=True)
    assert "Trà Tân Cương" in page and "Mật ong bạc hà" in page
    assert 'aria-pressed="true"' in client.get(f"/products/{tea.id}").get_data(as_text=True)

    create_user("an@example.vn", "An", PASSWORD)
    db.session.commit()
    sign_in(client, "an@example.vn")
    assert _kept() == 2
    client.post("/favourites/remove", data={"product_id": honey.id})
    page = client.get("/favourites").get_data(as_text=True)
    assert "Trà Tân Cương" in page and "Mật ong bạc hà" not in page
    client.post("/account/sign-out")
    assert "Trà Tân Cương" not in client.get("/favourites").get_data(as_text=True)  # the guest's left with sign-in


def test_a_favourite_no_longer_on_sale_is_not_shown(client, make):
    tea = make.listed(name="Trà Tân Cương")
    client.post("/favourites/add", data={"product_id": tea.id})
    revoke(tea.records[0], "hết hiệu lực")
    db.session.commit()
    page = client.get("/favourites").get_data(as_text=True)
    assert "Trà Tân Cương" not in page and "không còn được bán" in page


def test_odd_requests_keep_nothing(client, make):
    hidden = make.product(name="Chưa được công nhận")  # not listable
    db.session.commit()
    for data in ({"product_id": hidden.id}, {"product_id": 99999999}, {"product_id": "x"}, {}):
        assert client.post("/favourites/add", data=data).status_code in (400, 404)
    with client.session_transaction() as session:
        session["wishlist"] = ["1; DROP", -5, 10 ** 20]  # an edited cookie
    assert client.get("/favourites").status_code == 200


def test_two_taps_at_once_keep_one(app, make):
    tea = make.listed(name="Trà Tân Cương")
    create_user("an@example.vn", "An", PASSWORD)
    db.session.commit()
    (shopper,) = clients(app, "an@example.vn")
    data = {"product_id": tea.id}
    at_once([(shopper, "/favourites/add", data), (twin(app, shopper), "/favourites/add", data)], answer="status")
    assert _kept() == 1


def test_a_full_list_still_keeps_what_it_holds(client, make, monkeypatch):
    from marketplace.wishlist import services
    monkeypatch.setattr(services, "MAX_ITEMS", 2)
    products = [make.listed(name=f"Trà {n}") for n in range(3)]
    create_user("an@example.vn", "An", PASSWORD)
    db.session.commit()
    sign_in(client, "an@example.vn")
    for product in products[:2]:
        client.post("/favourites/add", data={"product_id": product.id})
    again = client.post("/favourites/add", data={"product_id": products[0].id}, follow_redirects=True)
    assert "đã đầy" not in again.get_data(as_text=True)  # kept already: not "full"
    full = client.post("/favourites/add", data={"product_id": products[2].id}, follow_redirects=True)
    assert "đã đầy" in full.get_data(as_text=True) and _kept() == 2
