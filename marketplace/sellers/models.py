from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import ocop
from ..extensions import db
from ..models_base import Timestamped, UTCDateTime, utcnow

VERIFICATION_STATUSES = ("pending", "verified", "rejected", "suspended")
VERIFICATION_LABELS = {"pending": _l("Pending"), "verified": _l("Verified"), "rejected": _l("Rejected"),
                       "suspended": _l("Suspended")}


class Seller(Timestamped, db.Model):
    __tablename__ = "sellers"
    __table_args__ = (
        CheckConstraint(
            "entity_type IN ('cooperative', 'cooperative_group', 'enterprise', 'farm', 'household')",
            name="entity_type",
        ),
        CheckConstraint(
            "verification_status IN ('pending', 'verified', 'rejected', 'suspended')",
            name="verification_status",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_type: Mapped[str] = mapped_column(String(24))
    legal_name: Mapped[str] = mapped_column(String(300))
    registration_no: Mapped[str] = mapped_column(String(20), unique=True)
    representative: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    province_code: Mapped[int] = mapped_column(index=True)
    ward_code: Mapped[int | None]
    street_address: Mapped[str | None] = mapped_column(String(300))
    about: Mapped[str | None] = mapped_column(Text)
    about_en: Mapped[str | None] = mapped_column(Text)
    women_led: Mapped[bool] = mapped_column(default=False)
    ethnic_minority_led: Mapped[bool] = mapped_column(default=False)
    verification_status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    verified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    status_reason: Mapped[str | None] = mapped_column(Text)  # why it was rejected or suspended

    products = relationship("Product", back_populates="seller")
    members = relationship("User", back_populates="seller")
    documents = relationship("SellerDocument", back_populates="seller", order_by="SellerDocument.id")

    @property
    def is_verified(self) -> bool:
        return self.verification_status == "verified"

    @property
    def email_addresses(self) -> list[str]:
        """Where news for this seller goes: its contact address and its members' accounts."""
        return sorted(filter(None, {self.email} | {member.email for member in self.members}))

    @property
    def province_name(self) -> str:
        return ocop.province_name(self.province_code)

    @property
    def ward_name(self) -> str:
        found = ocop.ward(self.ward_code) if self.ward_code else None
        return found.name if found else ""

    @property
    def address(self) -> str:
        return ", ".join(part for part in (self.street_address, self.ward_name, self.province_name) if part)

    @property
    def status_label(self) -> str:
        return str(VERIFICATION_LABELS.get(self.verification_status, self.verification_status))

    @property
    def entity_label(self):
        return ocop.ENTITY_TYPES.get(self.entity_type, self.entity_type)


class SellerDocument(db.Model):
    """An uploaded business registration certificate, stored outside static/ under a random name."""
    __tablename__ = "seller_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30), default="registration_certificate")
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int]
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    seller = relationship("Seller", back_populates="documents")
