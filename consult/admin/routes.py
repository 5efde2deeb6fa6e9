"""The Secretariat's administration: delegations, people, rooms and the audit log."""

from __future__ import annotations

from flask import Blueprint

from consult.htmx import render
from consult.policy import Need, load, protected, require
from consult.accounts.models import User

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@protected
def index():
    require(Need.ADMINISTER)
    return render("admin/index.html")


@bp.route("/people/<int:user_id>")
@protected
def user_detail(user_id: int):
    user = load(User, user_id, Need.ADMINISTER)
    return render("admin/user.html", user=user)
