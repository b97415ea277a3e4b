"""What the catalog offers: categories and items, in English and French, with prices in cents."""

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import db
from crm.utc import UTCDateTime, utcnow


class Category(db.Model):
    __tablename__ = "catalog_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)

    items = relationship("Item", back_populates="category", order_by="Item.position")

    def name(self, language):
        return self.name_fr if language == "fr" and self.name_fr else self.name_en


class Item(db.Model):
    """A symbolic gift ("a lawyer's work on one case"): its price, what the giver receives, how many can be given."""

    __tablename__ = "catalog_items"
    __table_args__ = (
        CheckConstraint("price_cents > 0", name="price_positive"),
        CheckConstraint("fmv_cents >= 0 AND fmv_cents <= price_cents", name="fmv_within_price"),
        CheckConstraint("cap IS NULL OR cap > 0", name="cap_positive"),
        CheckConstraint("reserved_count >= 0 AND (cap IS NULL OR reserved_count <= cap)", name="reserved_within_cap"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_categories.id", ondelete="SET NULL"))
    name_en: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str] = mapped_column(String(200))
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_fr: Mapped[str] = mapped_column(Text, default="")
    impact_en: Mapped[str] = mapped_column(Text, default="")
    impact_fr: Mapped[str] = mapped_column(Text, default="")
    price_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="cad")
    # Fair market value, per unit, of anything physical the giver receives: the receipt's advantage.
    fmv_cents: Mapped[int] = mapped_column(Integer, default=0)
    # False for what is not a gift at all (a purchase): it is paid but never receipted.
    receiptable: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # How many the charity can fund (None: no limit); reserved_count counts units held by
    # checkouts in progress and paid orders, raised with a conditional UPDATE so it never passes cap.
    cap: Mapped[int | None] = mapped_column(Integer)
    reserved_count: Mapped[int] = mapped_column(Integer, default=0)
    # The re-encoded image under MEDIA_ROOT/catalog/ ("" for none), and its size in pixels.
    image_name: Mapped[str] = mapped_column(String(200), default="")
    image_width: Mapped[int] = mapped_column(Integer, default=0)
    image_height: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    category = relationship("Category", back_populates="items")

    def text(self, field, language):
        """Return name/description/impact in this language (English when the French is empty)."""
        french = getattr(self, f"{field}_fr")
        return french if language == "fr" and french else getattr(self, f"{field}_en")

    @property
    def remaining(self):
        return None if self.cap is None else self.cap - self.reserved_count
