"""Uploads on S3-compatible storage (a local moto server, as production would run MinIO or a cloud's S3):
photos served to anyone, registration certificates only to those who may read them, nothing on the
app server's own disk."""
import io
import os

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.products.images import renditions
from marketplace.products.models import Product
from marketplace.sellers.models import Seller

from .conftest import BUCKET
from .helpers import PDF, join, jpeg, listing, office_signs_in, seller_signs_in


@pytest.fixture
def shop(app_with, bucket, s3_server, tmp_path):
    return app_with(S3_BUCKET=BUCKET, S3_ENDPOINT_URL=s3_server, S3_REGION="us-east-1",
                    UPLOAD_DIR=str(tmp_path / "not-used"), PRIVATE_UPLOAD_DIR=str(tmp_path / "not-used-either"))


def _keys(bucket) -> set[str]:
    return {found["Key"] for found in bucket.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def test_a_sellers_photo_goes_to_the_bucket_and_is_served_from_it(shop, bucket, make, tmp_path):
    seller = make.seller()
    db.session.commit()
    client = shop.test_client()
    seller_signs_in(client, seller)
    answer = client.post("/seller/products/new", data=listing() | {"photos": [(io.BytesIO(jpeg(1200, 900)), "a.jpg")]},
                         content_type="multipart/form-data")
    assert answer.status_code == 303
    image = db.session.scalar(select(Product)).images[0]
    stored = {image.filename, image.thumbnail} | {name for name, _w in renditions(image.filename, image.widths)}
    assert {f"media/{name}" for name in stored} <= _keys(bucket)
    assert not os.path.exists(tmp_path / "not-used")  # nothing on this server's disk

    photo = shop.test_client().get(f"/media/{image.filename}")  # anyone, another server alike
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg" and photo.data[:3] == b"\xff\xd8\xff"
    assert "immutable" in photo.headers["Cache-Control"]
    webp = shop.test_client().get(f"/media/{renditions(image.filename, image.widths)[0][0]}")
    assert webp.status_code == 200 and webp.data[:4] == b"RIFF"
    assert shop.test_client().get("/media/products/nothing.jpg").status_code == 404
    assert shop.test_client().get("/media/../private/x").status_code == 404


def test_a_certificate_stays_private_in_the_bucket(shop, bucket, make):
    client = shop.test_client()
    assert join(client).status_code == 302
    document = db.session.scalar(select(Seller)).documents[0]
    key = f"private/registrations/{document.stored_name}"
    assert key in _keys(bucket) and bucket.get_object(Bucket=BUCKET, Key=key)["Body"].read() == PDF
    grants = bucket.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
    assert all(grant["Grantee"].get("Type") == "CanonicalUser" for grant in grants)  # no public grant

    assert client.get(f"/seller/documents/{document.id}").data == PDF  # its own seller
    stranger = shop.test_client()
    assert stranger.get(f"/seller/documents/{document.id}").status_code in (302, 401, 404)
    assert stranger.get(f"/media/../private/registrations/{document.stored_name}").status_code == 404
    other = make.seller(legal_name="HTX khác")
    db.session.commit()
    seller_signs_in(stranger, other)
    assert stranger.get(f"/seller/documents/{document.id}").status_code == 404
    office = shop.test_client()
    office_signs_in(office)
    answer = office.get(f"/seller/documents/{document.id}")
    assert answer.status_code == 200 and answer.data == PDF and "attachment" in answer.headers["Content-Disposition"]


def test_an_address_s3_refuses_is_not_found(shop, bucket):
    bucket.put_object(Bucket=BUCKET, Key="media/products/a.jpg", Body=b"x")
    assert shop.test_client().get("/media/products/a.jpg%00").status_code == 404
    assert shop.test_client().get("/media/products/a.jpg").status_code == 200
