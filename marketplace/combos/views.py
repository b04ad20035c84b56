"""The shop's gift pages: /gifts (combos first, then gift-suitable products, by region, province,
occasion and budget) and a combo's own page. The combos' listing rule decides what is shown."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from .. import ocop
from ..catalog import services as catalog
from ..pagecache import cached_page
from ..products.images import PhotoError
from ..unit_of_work import run
from . import services
from .forms import ComboForm, GiftFilterForm
from .models import COMBO_STATUSES
from .search import search_combos

bp = Blueprint("combos", __name__)


@bp.app_template_global()
def featured_combos(limit: int = 4) -> tuple[list, dict]:
    """Combos on sale for another package's page (the home page shows a few): (combos, their offers)."""
    combos = services.find_combos(limit=limit)
    return combos, services.offers(combos)


@bp.get("/gifts")
@cached_page
def gifts():
    form = GiftFilterForm(request.args)
    if not form.validate():  # a hand-edited link: show gifts without the filters that are wrong
        for name in form.errors:
            getattr(form, name).data = None
    filters = form.to_filters()
    combos = search_combos(form.q.data, filters)
    provinces = ocop.provinces_of_region(filters.region) if filters.region else None
    products = [] if form.q.data else catalog.find_listings(catalog.Filters(
        province=filters.province, provinces=provinces, price_max=filters.price_max, gifts=True, sort="stars",
        carry_on=filters.carry_on,
        per_page=12), count=False).items
    return render_template("combos/gifts.html", form=form, combos=combos, offers=services.offers(combos),
                           products=products)


@bp.get("/combos/<int:combo_id>")
@cached_page
def combo(combo_id: int):
    offer = services.get_offer(combo_id)
    if offer is None:
        abort(404)
    return render_template("combos/combo.html", offer=offer, combo=offer.combo)


# --- Curating: the office's and a point manager's pages share these (their guards are their own) -----------

def curation_page(curator: services.Curator, points, after_save, combo=None, fixed_point: bool = False, **page):
    """The form of a new combo (combo None) or of `combo`, saved on a valid POST: the response. `points` are
    the sales points this curator may name; `after_save(combo)` is the address a saved combo goes to; `page`
    is what the curator's own pages show around it (`nav`, the template of their menu, and its context)."""
    form = ComboForm(points=points, fixed_point=fixed_point)
    if request.method == "GET" and combo is not None:
        form.fill(combo)
    elif request.method == "GET":  # a new box tells of the curator's own province, until they say otherwise
        home = curator.point.province_code if curator.point is not None else getattr(curator.user, "province_code",
                                                                                      None)
        form.province.data = home or form.province.data
    saved = None
    if form.validate_on_submit():
        photo = form.photo.data if getattr(form.photo.data, "filename", "") else None
        try:
            saved = run(services.save_with_photo, curator, form.fields(), combo, photo)
        except services.ComboError as error:
            form.form_errors.extend(error.reasons)
        except PhotoError as error:
            form.photo.errors = [*form.photo.errors, str(error)]
        except IntegrityError:  # another curator took the code at the same moment
            form.code.errors = [*form.code.errors, _("Another combo already has this code.")]
    if saved is not None:
        flash(_("The gift combo %(code)s is saved.", code=saved.code), "success")
        return redirect(after_save(saved), code=303)
    offer = services.offers([combo])[combo.id] if combo is not None else None
    status = 422 if form.errors or form.form_errors else 200
    return render_template("combos/edit.html", form=form, combo=combo, offer=offer, **page), status


def status_change(curator: services.Curator, combo) -> None:
    """Withdraw a combo from sale, or put it back (the form's `status`)."""
    wanted = request.form.get("status")
    if wanted in COMBO_STATUSES:
        run(services.set_status, curator, combo, wanted)
        flash(_("Withdrawn from sale.") if wanted == "withdrawn" else _("Back on sale."), "success")
