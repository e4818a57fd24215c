"""Admin views of the partner organisations: target times, functional addresses, active.

The routes live on the admin blueprint; ``zentrum.web.admin.views`` imports
this module at its end so that they are registered with it.
"""

from decimal import ROUND_HALF_UP, Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from zentrum.domain.vocab import Role
from zentrum.extensions import db
from zentrum.models import Partner
from zentrum.models.base import utcnow
from zentrum.services.partners import InvalidPartner, all_partners, update_partner
from zentrum.services.timing import house_hours
from zentrum.web.access import roles_required
from zentrum.web.admin.partner_forms import PartnerForm, hours_text
from zentrum.web.admin.views import bp

# Which form field shows a refusal of the service about a field of PartnerData.
_FIELD_OF = {"target_minutes": "target_hours", "email": "email", "active": "active"}


def working_days_text(minutes: int) -> str:
    """Minutes as working days of the house: "1 Arbeitstag", "0,5 Arbeitstage"."""
    days = (Decimal(minutes) / house_hours().day_minutes).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    text = f"{days.normalize():f}".replace(".", ",")
    return ngettext("%(days)s Arbeitstag", "%(days)s Arbeitstage", 1 if days == 1 else 2, days=text)


def target_text(minutes: int) -> str:
    """A target as hours and working days: "10 Std. (1 Arbeitstag)"."""
    return _(
        "%(hours)s Std. (%(days)s)", hours=hours_text(minutes), days=working_days_text(minutes)
    )


@bp.get("/partner")
@roles_required(Role.ADMIN)
def partners():
    """Every partner with its target time, address and state."""
    rows = [(p, target_text(p.target_minutes)) for p in all_partners(db.session)]
    day = hours_text(house_hours().day_minutes)
    return render_template("admin/partners.html", rows=rows, day_hours=day)


def _form(partner: Partner) -> PartnerForm:
    """The form; on GET filled from the stored partner."""
    if request.method != "GET":
        return PartnerForm()
    hours = (Decimal(partner.target_minutes) / 60).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return PartnerForm(
        data={"target_hours": hours, "email": partner.email or "", "active": partner.active}
    )


def _refusal(error: InvalidPartner) -> str:
    if error.problem == "child_protection":
        return _("Dieser Partner nimmt Krisen im Kinderschutz entgegen und bleibt deshalb aktiv.")
    return _("Diese Angabe ist nicht möglich.")


@bp.route("/partner/<int:partner_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_partner(partner_id: int):
    """Change a partner's target time, functional address and active flag."""
    partner = db.session.get(Partner, partner_id) or abort(404)
    form = _form(partner)
    if request.method == "GET":
        return render_template("admin/partner_form.html", form=form, partner=partner)
    if not form.validate():
        return render_template("admin/partner_form.html", form=form, partner=partner), 422
    try:
        update_partner(db.session, current_user, utcnow(), partner, form.to_partner_data())
        db.session.commit()
    except InvalidPartner as error:
        db.session.rollback()
        getattr(form, _FIELD_OF.get(error.field, "target_hours")).errors.append(_refusal(error))
        return render_template("admin/partner_form.html", form=form, partner=partner), 422
    flash(_("Die Angaben zu „%(name)s“ wurden gespeichert.", name=partner.name), "success")
    return redirect(url_for("admin.partners", _anchor=f"partner-{partner.id}"))
