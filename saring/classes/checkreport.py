"""The class's discernment check: before and after per learner, the class's gain, and the same as CSV."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template
from flask_babel import gettext as _

from ..accounts import role_required
from ..content import get_library
from ..discernment.reports import MIN_LEARNERS, check_report
from .csvfile import class_file_name, csv_response
from .models import Membership
from .views import bp, own_class_or_404


def class_check(class_id: int):
    """The class and its check report."""
    classroom = own_class_or_404(class_id)
    members = sa.select(Membership.user_id).where(Membership.classroom_id == classroom.id)
    return classroom, check_report(get_library(), members)


@bp.get("/classes/<int(max=2147483647):class_id>/check")
@role_required("teacher")
def check(class_id: int):
    """What changed between the check before and the check after, for each learner and for the class."""
    classroom, report = class_check(class_id)
    return render_template("classes/check.html", classroom=classroom, report=report, min_learners=MIN_LEARNERS)


@bp.get("/classes/<int(max=2147483647):class_id>/check.csv")
@role_required("teacher")
def check_csv(class_id: int):
    """The check's figures per learner, before and after, as CSV."""
    classroom, report = class_check(class_id)
    header = [_("Name"), _("Username"), _("Hoaxes caught before"), _("Genuine trusted before"),
              _("Discernment before"), _("Leaning before"), _("Hoaxes caught after"), _("Genuine trusted after"),
              _("Discernment after"), _("Leaning after"), _("Gain")]
    rows = [[pair.user.name, pair.user.username,
             f"{pair.before.caught}/{pair.before.false_items}", f"{pair.before.trusted}/{pair.before.genuine_items}",
             round(pair.before.d_prime, 2), round(pair.before.bias, 2),
             f"{pair.after.caught}/{pair.after.false_items}", f"{pair.after.trusted}/{pair.after.genuine_items}",
             round(pair.after.d_prime, 2), round(pair.after.bias, 2), round(pair.gain, 2)] for pair in report.pairs]
    return csv_response(_("check-%(name)s.csv", name=class_file_name(classroom)), header, rows)
