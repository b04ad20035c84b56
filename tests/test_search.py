"""Search behaviour, run against each backend: Whoosh always, PostgreSQL when the tests run on it."""
import datetime as dt
import threading

import pytest
from sqlalchemy import select

from marketplace import ocop
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.products.models import Product
from marketplace.search import services
from marketplace.search.base import SearchQuery
from marketplace.search.models import SearchQueue
from marketplace.search.whoosh_backend import WhooshBackend
from marketplace.text import query_words

BACKENDS = ["whoosh", "postgres"]


@pytest.fixture(params=BACKENDS)
def backend(request, app, tmp_path):
    if request.param == "postgres":
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the PostgreSQL backend runs when the tests run on PostgreSQL (DATABASE_URL)")
        from marketplace.search.postgres_backend import PostgresBackend
        app.extensions["search"] = PostgresBackend(db.engine)
    else:
        app.extensions["search"] = WhooshBackend(str(tmp_path / "idx"))
    return app.extensions["search"]


def names(q, **filters):
    page = services.search(SearchQuery(words=query_words(q), **filters))
    return [hit.listing.product.name for hit in page.hits]


@pytest.fixture
def catalogue(make, backend):
    """A small shop: tea, coffee, fish sauce and crafts from three provinces."""
    son_la = make.seller(legal_name="HTX Chè Shan Tuyết Mộc Châu", province_code=14)
    dak_lak = make.seller(legal_name="HTX Cà phê Ea Tu", province_code=66)
    an_giang = make.seller(legal_name="Công ty Nước mắm Khải Hoàn", province_code=91)
    make.listed(seller=son_la, stars=5, name="Trà Shan Tuyết Mộc Châu", name_en="Moc Chau Shan Tuyet tea",
                price_vnd=520000)
    make.listed(seller=son_la, stars=4, name="Hồng trà", name_en="Black tea", price_vnd=280000)
    make.listed(seller=dak_lak, stars=4, name="Cà phê Robusta", name_en="Robusta coffee", group_code="I.6",
                price_vnd=180000)
    make.listed(seller=dak_lak, stars=3, name="Cà phê phin", name_en="Drip coffee", group_code="I.6",
                price_vnd=95000, description="Rang xay từ hạt cà phê Đắk Lắk")
    make.listed(seller=an_giang, stars=5, name="Nước mắm Phú Quốc", name_en="Phu Quoc fish sauce",
                group_code="I.4", price_vnd=165000, geographical_indication="Phú Quốc")
    make.listed(seller=an_giang, stars=3, name="Giỏ cói", name_en="Sedge basket", group_code="IV.1",
                price_vnd=120000, description="Đan tay, hợp đựng trà và bánh")
    return {"son_la": son_la, "dak_lak": dak_lak, "an_giang": an_giang}


def test_diacritics_and_case_fold(catalogue):
    found = [names(q) for q in ("tra shan tuyet", "TRÀ SHAN TUYẾT", "trà shan tuyết", "Tra Shan Tuyet")]
    # the tea by name first, then the seller's other tea (its seller is "HTX Chè Shan Tuyết ...")
    assert found == [["Trà Shan Tuyết Mộc Châu", "Hồng trà"]] * 4


def test_d_with_stroke_folds_and_place_names_match(catalogue):
    assert "Cà phê phin" in names("dak lak")
    assert names("Đắk Lắk") == names("dak lak")


def test_english_queries_match_english_names(catalogue):
    assert sorted(names("coffee")) == ["Cà phê Robusta", "Cà phê phin"]
    assert names("fish sauce") == ["Nước mắm Phú Quốc"]


def test_a_prefix_matches_while_typing(catalogue):
    assert names("shan tuy")[0] == "Trà Shan Tuyết Mộc Châu"
    assert "Cà phê Robusta" in names("rob")


def test_one_typo_in_a_long_word_still_finds(catalogue):
    assert names("shan tuyte")[0] == "Trà Shan Tuyết Mộc Châu"  # swapped letters
    assert "Cà phê Robusta" in names("robsta")  # a letter missing
    assert "Cà phê Robusta" in names("robusta cofee")
    assert names("xyz shan") == []  # every word must match


def test_name_ranks_above_seller_place_and_above_description(catalogue):
    # "tra" is in two names, in a seller's name (Chè ... is not "tra"), and in a description (Giỏ cói)
    ranked = names("trà")
    assert set(ranked[:2]) == {"Trà Shan Tuyết Mộc Châu", "Hồng trà"}
    assert ranked[-1] == "Giỏ cói"
    # "ea tu" is only in a seller's name; "Đắk Lắk" in a description ranks below a province match
    assert sorted(names("ea tu")) == ["Cà phê Robusta", "Cà phê phin"]
    assert names("phu quoc") == ["Nước mắm Phú Quốc"]


def test_a_name_match_outranks_a_match_only_in_the_sellers_name(make, backend):
    """A seaside firm named "Mật ong …" sells dried shrimp and salted crab; honey is made by others, so the
    words are rare among sellers' names and common among products' names: "mật ong" still finds honey first."""
    coast = make.seller(legal_name="Công ty Mật ong Biển Đông", province_code=22)
    for name in ("Tôm khô", "Ghẹ muối"):  # and says "mật ong" in its descriptions, again and again
        make.listed(seller=coast, name=name, stars=5, description="Tẩm mật ong: mật ong rừng, mật ong hoa nhãn, "
                                                                  "mật ong của Công ty Mật ong Biển Đông")
    honey = [f"Mật ong hoa {flower} {n}" for n in range(6) for flower in ("bạc hà", "nhãn", "vải", "cà phê")]
    for n, name in enumerate(honey):
        make.listed(seller=make.seller(legal_name=f"HTX Ba Vì {n}", province_code=2), name=name, stars=3)
    ranked = names("mật ong", per_page=50)
    assert set(ranked[:len(honey)]) == set(honey) and set(ranked[len(honey):]) == {"Tôm khô", "Ghẹ muối"}


def test_tra_shan_tuyet_lists_the_shan_tuyet_tea_before_the_sellers_oolong(make, backend):
    suoi_giang = make.seller(legal_name="HTX Chè Shan Tuyết Suối Giàng", province_code=15)
    make.listed(seller=suoi_giang, name="Trà Ô long", stars=5)
    for n in range(24):
        make.listed(seller=make.seller(legal_name=f"HTX Chè {n}"), name=f"Trà Shan tuyết cổ thụ {n}", stars=3)
    assert names("tra shan tuyet", per_page=50)[-1] == "Trà Ô long"
    assert names("tra shan tuy", per_page=50)[-1] == "Trà Ô long"  # while typing


def test_a_result_without_stock_says_so(client, make, backend):
    make.listed(name="Miến dong Bình Liêu")
    page = client.get("/search?q=mien+dong").get_data(as_text=True)
    assert "Bình Liêu" in page and "Hết hàng" in page


def test_facets_count_the_current_query(catalogue):
    page = services.search(SearchQuery(words=query_words("ca phe")))
    assert page.total == 2
    assert page.facets["group"] == {"I": 2, "I.6": 2}
    assert page.facets["province"] == {66: 2}
    assert page.facets["stars"] == {4: 1, 3: 1}
    everything = services.search(SearchQuery())
    assert everything.total == 6 and everything.facets["group"]["I"] == 5 and everything.facets["group"]["IV"] == 1
    assert everything.facets["province"] == {14: 2, 66: 2, 91: 2}


def test_filters_combine(catalogue):
    assert sorted(names("", group="I.5")) == ["Hồng trà", "Trà Shan Tuyết Mộc Châu"]
    assert names("", group="I", province=91) == ["Nước mắm Phú Quốc"]
    assert sorted(names("", stars_min=5)) == ["Nước mắm Phú Quốc", "Trà Shan Tuyết Mộc Châu"]
    assert names("", group="I", stars_min=4, price_max=200000) == ["Cà phê Robusta", "Nước mắm Phú Quốc"] or \
        sorted(names("", group="I", stars_min=4, price_max=200000)) == ["Cà phê Robusta", "Nước mắm Phú Quốc"]
    assert names("coffee", province=14) == []


def test_sorting_and_pages(catalogue):
    assert names("", sort="price_asc")[:2] == ["Cà phê phin", "Giỏ cói"]
    assert names("", sort="price_desc")[0] == "Trà Shan Tuyết Mộc Châu"
    assert set(names("", sort="stars")[:2]) == {"Trà Shan Tuyết Mộc Châu", "Nước mắm Phú Quốc"}
    newest = names("", sort="newest")
    assert len(newest) == 6
    first = names("", sort="price_asc", per_page=4, page=1)
    second = names("", sort="price_asc", per_page=4, page=2)
    assert len(first) == 4 and len(second) == 2 and not set(first) & set(second)


def test_matched_words_are_highlighted(catalogue):
    page = services.search(SearchQuery(words=query_words("shan tuyet")))
    assert str(page.hits[0].name) == "Trà <mark>Shan</mark> <mark>Tuyết</mark> Mộc Châu"
    hit = services.search(SearchQuery(words=query_words("rang xay"))).hits[0]
    assert "<mark>Rang</mark> <mark>xay</mark>" in str(hit.snippet)


def test_time_passing_alone_drops_a_product_from_results(make, backend, clock, today):
    product = make.product(name="Mật ong U Minh")
    record = make.record(product, decision_date=today - dt.timedelta(days=30))
    db.session.commit()
    clock(record.valid_until - dt.timedelta(days=1))
    assert names("mat ong") == ["Mật ong U Minh"]
    clock(record.valid_until)  # no job runs, nothing is written
    assert names("mat ong") == []
    assert services.search(SearchQuery()).facets["province"] == {}


@pytest.mark.parametrize("unlist", ["revoke", "suspend_seller", "draft", "lower_to_two_stars"])
def test_each_way_of_unlisting_leaves_the_index_on_commit(make, backend, unlist, today):
    product = make.listed(name="Tinh dầu quế")
    assert names("tinh dau que") == ["Tinh dầu quế"]
    if unlist == "revoke":
        product.records[0].revoked_at = utcnow()
    elif unlist == "suspend_seller":
        product.seller.verification_status = "suspended"
    elif unlist == "draft":
        product.status = "draft"
    else:
        make.record(product, stars=2, score=40, decision_date=today)
    db.session.commit()
    if isinstance(backend, WhooshBackend):
        with backend._ix().searcher() as searcher:  # gone from the index itself, not only filtered out
            assert searcher.document(id=str(product.id)) is None
    assert names("tinh dau que") == []


def test_a_product_edited_again_and_again_is_found_once(make, backend):
    product = make.listed(name="Lụa Vạn Phúc")
    make.listed(name="Khăn lụa tơ tằm")
    assert sorted(names("lua")) == ["Khăn lụa tơ tằm", "Lụa Vạn Phúc"]
    for price in (300000, 310000, 320000):  # the same process searched before: it must see each deletion
        product.price_vnd = price
        db.session.commit()
        found = services.search(SearchQuery(words=["lua"]))
        assert sorted(hit.listing.product.id for hit in found.hits) == sorted({hit.listing.product.id
                                                                                 for hit in found.hits})
        assert found.total == 2 and sum(found.facets["stars"].values()) == 2


def test_a_rollback_leaves_the_index_alone(make, backend):
    product = make.listed(name="Gạo ST25")
    product.name = "Gạo tám thơm"
    db.session.flush()
    db.session.rollback()
    assert names("tam thom") == [] and names("st25") == ["Gạo ST25"]


def test_an_indexing_failure_keeps_the_database_write_and_queues_the_product(make, backend, monkeypatch):
    def broken(_docs):
        raise OSError("disk full")

    monkeypatch.setattr(backend, "index", broken)
    product = make.listed(name="Bánh pía")
    assert db.session.get(Product, product.id).name == "Bánh pía"  # the write stands
    assert db.session.scalars(select(SearchQueue.product_id)).all() == [product.id]
    monkeypatch.undo()

    assert services.process_queue() == 1
    assert names("banh pia") == ["Bánh pía"]
    assert db.session.scalars(select(SearchQueue.product_id)).all() == []


def test_reindex_while_searching(app, make, backend):
    for n in range(30):
        make.listed(name=f"Trà xanh {n}")
    assert services.rebuild() == 30
    answers, errors = [], []
    stop = threading.Event()

    def search_loop():
        with app.app_context():
            while not stop.is_set():
                try:
                    answers.append(backend.search(SearchQuery(words=["tra"]), ocop.today()).total)
                except Exception as error:
                    errors.append(error)

    thread = threading.Thread(target=search_loop)
    thread.start()
    try:
        for _ in range(3):
            services.rebuild()
    finally:
        stop.set()
        thread.join()
    assert not errors and answers and set(answers) == {30}


def test_several_writers_share_one_whoosh_index(app, make, tmp_path):
    from marketplace.search.documents import SearchDocument
    directory = str(tmp_path / "shared")
    WhooshBackend(directory).rebuild([])

    def doc(n):
        day = ocop.today()
        return SearchDocument(id=n, name=f"Sản phẩm {n}", name_en="", seller="", place="", text="", group_code="I.1",
                              province_code=1, stars=4, price_vnd=1000, decision_date=day, valid_from=day,
                              valid_until=day + dt.timedelta(days=10), groups=["I", "I.1"])

    failures = []

    def writer(start):
        own = WhooshBackend(directory)  # as another gunicorn worker would
        try:
            for n in range(start, start + 15):
                own.index([doc(n)])
        except Exception as error:
            failures.append(error)

    threads = [threading.Thread(target=writer, args=(start,)) for start in (1, 101, 201)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert WhooshBackend(directory).search(SearchQuery(), ocop.today()).total == 45


BAD_QUERIES = ["", " ", "x" * 200, '"', "*", "OR", "(", ")", "AND NOT", "a:b", "!", "&|", "tra:*", "\\", "'", "%",
               "trà (shan", "<script>alert(1)</script>", "١٢٣", "🍵"]


@pytest.mark.parametrize("q", BAD_QUERIES)
def test_odd_query_strings_answer_normally(client, catalogue, q):
    page = client.get("/search", query_string={"q": q})
    api = client.get("/api/v1/products", query_string={"q": q})
    assert page.status_code == 200 and api.status_code == 200
    assert "<script>alert" not in page.get_data(as_text=True)


def test_a_query_longer_than_a_search_is_named(client, catalogue):
    """Beyond 200 characters it is not a search (and, percent-encoded, would overflow a request line)."""
    api = client.get("/api/v1/products", query_string={"q": "x" * 201})
    assert api.status_code == 422 and "q" in api.get_json()["fields"]
    assert client.get("/api/v1/suggest", query_string={"q": "x" * 201}).status_code == 422
    assert client.get("/api/v1/suggest").status_code == 422  # the document requires q
    page = client.get("/search", query_string={"q": "x" * 201})
    assert page.status_code == 200 and "200" in page.get_data(as_text=True)  # the page says why it found nothing


def test_search_page_shows_facets_highlights_and_pages(client, catalogue):
    page = client.get("/search?q=ca+phe").get_data(as_text=True)
    assert "<mark>Cà</mark> <mark>phê</mark> Robusta" in page
    assert "2 sản phẩm" in page and "Đắk Lắk" in page and "Thực phẩm" in page
    assert "Cà phê, ca cao" in client.get("/search?q=ca+phe&group=I").get_data(as_text=True)
    filtered = client.get("/search?q=ca+phe&stars_min=4").get_data(as_text=True)
    assert "Cà phê phin" not in filtered and "Loại bỏ bộ lọc" in filtered


def test_search_page_when_nothing_matches(client, catalogue):
    typo = client.get("/search?q=nuoc+mma").get_data(as_text=True)
    assert "Không có sản phẩm OCOP nào phù hợp" in typo
    assert "nuoc mam" in typo  # did you mean
    filtered = client.get("/search?q=coffee&province=14").get_data(as_text=True)
    assert "Tìm lại không kèm bộ lọc" in filtered


def test_search_page_in_english(client, catalogue):
    client.get("/lang/en")
    page = client.get("/search?q=coffee").get_data(as_text=True)
    assert "Results for “coffee”" in page and "<mark>coffee</mark>" in page.lower()


def test_suggestions_answer_the_top_names(client, make, backend):
    for n in range(10):
        make.listed(name=f"Trà ô long {n}")
    make.listed(name="Bánh tráng")
    body = client.get("/api/v1/suggest?q=tra").get_json()
    assert len(body["items"]) == 8 and all(i["name"].startswith("Trà") for i in body["items"])
    assert client.get("/api/v1/suggest?q=").get_json() == {"items": []}


def test_suggestions_for_letters_many_names_share_put_the_best_starred_first(client, make, backend, monkeypatch):
    """On PostgreSQL a suggestion is chosen among the best-starred matches (200; 3 here), so what a shopper
    sees first for "tra" is the 5-star tea, then the 4-star one, not whichever 3-star name came first."""
    from marketplace.search import postgres_backend
    monkeypatch.setattr(postgres_backend, "SUGGEST_AMONG", 3)
    for n in range(6):
        make.listed(name=f"Trà xanh {n}", stars=3)
    make.listed(name="Trà shan tuyết", stars=5)
    make.listed(name="Tràng An mật ong", stars=4)
    shown = [item["name"] for item in client.get("/api/v1/suggest?q=tra").get_json()["items"]]
    assert shown[0] == "Trà shan tuyết" and "Tràng An mật ong" in shown


def test_a_suggestion_holding_the_word_as_typed_comes_before_names_it_only_begins(client, make, backend):
    make.listed(name="Bánh tráng phơi sương Trảng Bàng", name_en="Trang Bang dew-dried rice paper", stars=5)
    make.listed(name="Trà Shan Tuyết Mộc Châu", name_en="Moc Chau Shan Tuyet tea", stars=4)
    shown = [item["name"] for item in client.get("/api/v1/suggest?q=tra").get_json()["items"]]
    assert shown == ["Trà Shan Tuyết Mộc Châu", "Bánh tráng phơi sương Trảng Bàng"]


def test_a_product_the_index_still_holds_is_not_suggested_once_unlisted(client, make, backend, monkeypatch):
    """The index may lag (a job not run yet, a failure queued): suggestions still pass the listing rule."""
    tea = make.listed(name="Trà Shan Tuyết Mộc Châu")
    assert [item["id"] for item in client.get("/api/v1/suggest?q=tra").get_json()["items"]] == [tea.id]

    def broken(_ids):
        raise OSError("disk full")

    monkeypatch.setattr(backend, "remove", broken)
    tea.records[0].revoked_at = utcnow()
    db.session.commit()
    assert backend.suggest(query_words("tra"), ocop.today()) == [tea.id]  # the index has not caught up
    assert client.get("/api/v1/suggest?q=tra").get_json() == {"items": []}


def test_reindex_command(app, make, backend):
    make.listed(name="Miến dong")
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0 and "Index rebuilt: 1 products" in result.output
    assert names("mien dong") == ["Miến dong"]


def test_a_search_before_anything_is_indexed_answers(client):
    """A new shop, before its first reindex: an empty index answers no products, not an error."""
    answer = client.get("/search?q=tra")
    assert answer.status_code == 200 and "0 sản phẩm" in answer.get_data(as_text=True)
