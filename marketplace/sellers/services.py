"""Seller onboarding: one account and one pending seller, with its registration certificate."""
from __future__ import annotations

from sqlalchemy import select

from ..accounts.services import create_user
from ..extensions import db
from .documents import CheckedDocument, remove, store
from .models import Seller, SellerDocument


def registration_taken(registration_no: str) -> bool:
    return db.session.scalar(select(Seller.id).where(Seller.registration_no == registration_no)) is not None


def register_seller(*, account: dict, seller: dict, document: CheckedDocument) -> Seller:
    """Create the seller (pending) and its first member, store the certificate, in the caller's unit of work.
    The file is written first and removed again if the database refuses the rest."""
    stored_name = store(document)
    try:
        user = create_user(role="seller", **account)
        entity = Seller(verification_status="pending", **seller)
        entity.members.append(user)
        entity.documents.append(SellerDocument(stored_name=stored_name, original_name=document.original_name,
                                               content_type=document.content_type, size=len(document.data)))
        db.session.add(entity)
        db.session.flush()
    except Exception:
        remove(stored_name)
        raise
    return entity


def can_read_document(user, document: SellerDocument) -> bool:
    """The seller's own members, and office users of its province (or nationwide)."""
    if not user.is_authenticated:
        return False
    if user.role == "seller":
        return user.seller_id == document.seller_id
    if user.role == "office":
        return user.province_code is None or user.province_code == document.seller.province_code
    return False
