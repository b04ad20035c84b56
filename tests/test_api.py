"""The read API: shapes checked against its own OpenAPI document, listable products only."""
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from marketplace.extensions import db

from .helpers import check


def response_schema(spec, path, status):
    ref = spec["paths"][path]["get"]["responses"][str(status)]["content"]["application/json"]["schema"]["$ref"]
    return ref.rsplit("/", 1)[-1]


def test_list_answers_the_documented_shape(client, make, spec):
    seller = make.seller(legal_name="HTX Chè La Bằng", province_code=19)
    product = make.listed(seller=seller, stars=4, name="Chè La Bằng", name_en="La Bang tea", price_vnd=320000)
    body = client.get("/api/v1/products").get_json()

    check(spec, "ProductPage", body)
    assert body["total"] == 1 and body["page"] == 1 and body["per_page"] == 24
    item = body["items"][0]
    assert item["id"] == product.id and item["name"] == "Chè La Bằng" and item["name_en"] == "La Bang tea"
    assert item["stars"] == 4 and item["group_code"] == "I.5" and item["price_vnd"] == 320000
    assert item["province"] == {"code": 19, "name": "Thái Nguyên"}
    assert item["seller"] == {"id": seller.id, "name": "HTX Chè La Bằng"}


def test_detail_answers_the_documented_shape(client, make, spec):
    product = make.listed(stars=5, geographical_indication="Chè Tân Cương")
    body = client.get(f"/api/v1/products/{product.id}").get_json()

    check(spec, response_schema(spec, "/products/{id}", 200), body)
    assert body["recognition"]["stars"] == 5 and body["recognition"]["level"] == "national"
    assert {"stars", "national_5", "gi", "cooperative"} <= set(body["badges"])
    assert body["traceability"]["geographical_indication"] == "Chè Tân Cương"
    assert body["traceability"]["trace_url"].endswith(f"/trace/{product.id}")


def test_unlisted_and_unknown_products_answer_json_404(client, make, spec):
    product = make.product()
    make.record(product, stars=2, score=40)
    db.session.commit()
    for url in (f"/api/v1/products/{product.id}", "/api/v1/products/999999"):
        response = client.get(url)
        assert response.status_code == 404
        check(spec, response_schema(spec, "/products/{id}", 404), response.get_json())
        assert response.get_json()["status"] == 404
    assert client.get("/api/v1/products").get_json()["total"] == 0
    vi = client.get("/api/v1/products/999999", headers={"Accept-Language": "vi"}).get_json()["message"]
    en = client.get("/api/v1/products/999999", headers={"Accept-Language": "en"}).get_json()["message"]
    assert (vi, en) == ("Không có sản phẩm đang bán nào có mã này.", "No listed product has this id.")


def test_filters_and_paging(client, make):
    son_la = make.seller(province_code=14)
    for n in range(5):
        make.listed(seller=son_la, stars=3 + n % 3, group_code="I.6" if n % 2 else "I.5", price_vnd=1000 * (n + 1))
    make.listed(seller=make.seller(province_code=19), group_code="IV.1")

    def ids(query):
        return [item["id"] for item in client.get("/api/v1/products?" + query).get_json()["items"]]

    assert len(ids("group=I")) == 5 and len(ids("group=I.6")) == 2 and len(ids("group=IV")) == 1
    assert len(ids("province=14")) == 5 and len(ids("province=19")) == 1
    assert all(client.get(f"/api/v1/products/{i}").get_json()["stars"] >= 4 for i in ids("stars_min=4"))
    page = client.get("/api/v1/products?per_page=2&page=2&sort=price_asc").get_json()
    assert page["total"] == 6 and page["per_page"] == 2 and [i["price_vnd"] for i in page["items"]] == [3000, 4000]


@pytest.mark.parametrize("query, field", [
    ("per_page=101", "per_page"), ("per_page=0", "per_page"), ("page=0", "page"), ("page=abc", "page"),
    ("stars_min=9", "stars_min"), ("province=999", "province"), ("group=VII", "group"),
    ("sort=random", "sort"), ("price_min=-1", "price_min"),
])
def test_invalid_parameters_answer_422_naming_the_field(client, spec, query, field):
    response = client.get("/api/v1/products?" + query)
    assert response.status_code == 422
    body = response.get_json()
    check(spec, "Error", body)
    assert field in body["fields"] and body["status"] == 422


def test_unknown_api_path_is_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.get_json()["status"] == 404


def test_search_answers_the_documented_shape_with_facets(client, make, spec):
    seller = make.seller(province_code=14)
    make.listed(seller=seller, stars=5, name="Trà Shan Tuyết", name_en="Shan Tuyet tea", group_code="I.5")
    make.listed(seller=seller, stars=4, name="Cà phê Sơn La", name_en="Son La coffee", group_code="I.6")
    body = client.get("/api/v1/products?q=tra+shan").get_json()

    check(spec, "SearchPage", body)
    assert body["total"] == 1 and body["items"][0]["name"] == "Trà Shan Tuyết"
    assert body["items"][0]["highlight"]["name"] == "<mark>Trà</mark> <mark>Shan</mark> Tuyết"
    assert body["facets"] == {"group": {"I": 1, "I.5": 1}, "province": {"14": 1}, "stars": {"5": 1}}
    assert body["suggestion"] is None
    assert client.get("/api/v1/products?q=coffee&group=I.5").get_json()["total"] == 0
    assert client.get("/api/v1/products?q=tra+shan+tuyte").get_json()["total"] == 1  # one typo, 5+ letters
    nothing = client.get("/api/v1/products?q=tra+shen").get_json()  # 4 letters: no typo forgiven
    assert nothing["total"] == 0 and nothing["suggestion"] == "tra shan"


def test_suggest_answers_the_documented_shape(client, make, spec):
    make.listed(name="Trà Shan Tuyết")
    body = client.get("/api/v1/suggest?q=tra sh").get_json()
    check(spec, "Suggestions", body)
    assert [item["name"] for item in body["items"]] == ["Trà Shan Tuyết"]


def test_links_come_from_the_shops_address_never_the_requests_host(app, client, make, monkeypatch):
    """A client that sends `Host: evil.example` gets (and makes the shop email) links to the shop only."""
    from sqlalchemy import select

    from marketplace.outbox.models import OutboxEmail

    from .helpers import stocked
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://cho.ocop.vn")
    tea = stocked(make, make.seller(province_code=19), "Trà Tân Cương", 280000, 5)
    evil = {"Host": "evil.example"}
    listed = client.get("/api/v1/products", headers=evil).get_json()["items"][0]
    detail = client.get(f"/api/v1/products/{tea.id}", headers=evil).get_json()
    document = client.get("/api/v1/openapi.json", headers=evil).get_json()
    assert listed["url"] == f"https://cho.ocop.vn/products/{tea.id}"
    assert detail["traceability"]["trace_url"].startswith("https://cho.ocop.vn/")
    assert document["servers"] == [{"url": "https://cho.ocop.vn/api/v1"}]
    placed = client.post("/api/v1/orders", headers=evil, json={
        "items": [{"product_id": tea.id, "quantity": 1}], "payment": "cod",
        "contact": {"name": "Bình", "phone": "0987654321", "email": "binh@example.vn"},
        "address": {"province": 19, "ward": "Phường Phan Đình Phùng", "street": "5 Quang Trung"}})
    assert placed.status_code == 201
    body = db.session.scalar(select(OutboxEmail.body).where(OutboxEmail.to == "binh@example.vn"))
    assert "https://cho.ocop.vn/orders/" in body and "evil.example" not in body


def valid(spec, schema_name, payload) -> bool:
    registry = Registry().with_resource("urn:openapi", Resource.from_contents(
        spec | {"$schema": "https://json-schema.org/draft/2020-12/schema"}))
    schema = {"$ref": f"urn:openapi#/components/schemas/{schema_name}"}
    return not list(Draft202012Validator(schema, registry=registry).iter_errors(payload))


def test_the_document_says_what_the_api_accepts(client, spec):
    """Where the document and the API disagreed: an order with neither an address nor a pickup point, a
    province code that does not exist, /suggest without q, and methods a path does not answer."""
    contact = {"name": "Bình", "phone": "0987654321", "email": "binh@example.vn"}
    nowhere = {"items": [{"product_id": 1, "quantity": 1}], "payment": "cod", "contact": contact}
    by_post = nowhere | {"address": {"province": 19, "ward": "Phường Phan Đình Phùng", "street": "5 Quang Trung"}}
    assert not valid(spec, "OrderRequest", nowhere) and client.post("/api/v1/orders", json=nowhere).status_code == 422
    assert valid(spec, "OrderRequest", by_post)
    assert not valid(spec, "OrderRequest", by_post | {"pickup_point": 3})  # one or the other
    assert not valid(spec, "OrderRequest", by_post | {"contact": contact | {"name": ""}})
    province = next(p for p in spec["paths"]["/products"]["get"]["parameters"] if p["name"] == "province")
    assert 19 in province["schema"]["enum"] and 0 not in province["schema"]["enum"]
    assert client.get("/api/v1/products?province=19").status_code == 200
    assert client.get("/api/v1/products?province=0").status_code == 422
    for query in ("group=", "price_min=%09", "price_min=1&price_min=2", "province=19&province=1"):
        answer = client.get(f"/api/v1/products?{query}")  # blank or given twice: not in the document
        assert answer.status_code == 422 and query.split("=")[0] in answer.get_json()["fields"], query
    newest = client.get("/api/v1/products?sort=newest").get_json()
    assert client.get("/api/v1/products?sort=relevance").get_json() == newest  # no words: newest first
    suggest = spec["paths"]["/suggest"]["get"]
    assert suggest["parameters"][0]["required"] and client.get("/api/v1/suggest").status_code == 422
    for method, path in (("put", "/api/v1/products"), ("delete", "/api/v1/orders"), ("post", "/api/v1/products/1")):
        answer = getattr(client, method)(path)
        assert answer.status_code == 405 and answer.headers.get("Allow"), (method, path)
    assert all("400" in operation["responses"] for operations in spec["paths"].values()
               for operation in operations.values())
