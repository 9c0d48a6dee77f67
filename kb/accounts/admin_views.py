"""Administration: accounts (list, invite, roles, deactivate) and the audit log (page and CSV)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from kb import audit, uow
from kb.accounts import accounts, forms
from kb.accounts import audit_log as audit_reads
from kb.accounts import links as account_links
from kb.accounts import tokens as api_tokens
from kb.errors import ValidationError
from kb.web.auth import current_actor, login_required, secret_key
from kb.web.database import get_session
from kb.web.i18n import install_lang
from kb.web.outbox import deliver_queued
from kb.web.security import never_cache
from kb.web.urls import mail_url

bp = Blueprint("admin", __name__, url_prefix="/<lang>/admin")
install_lang(bp)
PER_PAGE = 50


@bp.before_request
@login_required
def signed_in() -> None:
    """Every admin page needs a signed-in account; the domain checks the role."""


bp.after_request(never_cache)


def _users_page(invite: forms.InviteForm | None = None, status: int = 200) -> ResponseReturnValue:
    listing = accounts.list_accounts(session=get_session(), actor=current_actor())
    return render_template(
        "admin/users.html",
        accounts=listing,
        invite=invite or forms.InviteForm(formdata=None),
        confirm=forms.ConfirmForm(formdata=None),
    ), status


@bp.get("/users")
def users() -> ResponseReturnValue:
    return _users_page()


@bp.post("/users/invite")
def invite() -> ResponseReturnValue:
    form = forms.InviteForm()
    if not form.validate_on_submit():
        return _users_page(form, 422)
    session = get_session()
    try:
        account = account_links.invite(
            session=session,
            actor=current_actor(),
            email=form.email.data,
            display_name=form.display_name.data,
            roles=set(form.roles.data or ()),
            secret=secret_key(),
            link=lambda token: mail_url("account.set_password", token=token),
            language=form.language.data,
        )
    except ValidationError as error:
        forms.show_errors(form, error)
        return _users_page(form, 422)
    uow.commit(session=session)
    deliver_queued()
    flash(_("Invitation sent to %(email)s.", email=account.user.email), "success")
    return redirect(url_for("admin.users"))


@bp.get("/users/<int:user_id>")
def user(user_id: int) -> ResponseReturnValue:
    accounts.list_accounts(session=get_session(), actor=current_actor())  # same permission
    account = accounts.get(get_session(), user_id)
    form = forms.RolesForm(roles=sorted(account.roles), formdata=None)
    return _user_page(account, form)


def _user_page(
    account: accounts.Account, form: forms.RolesForm, status: int = 200
) -> ResponseReturnValue:
    return render_template(
        "admin/user.html",
        account=account,
        form=form,
        confirm=forms.ConfirmForm(formdata=None),
        tokens=api_tokens.tokens_of(get_session(), account.id),
    ), status


@bp.post("/users/<int:user_id>/roles")
def set_roles(user_id: int) -> ResponseReturnValue:
    session = get_session()
    form = forms.RolesForm()
    if not form.validate_on_submit():
        return _user_page(accounts.get(session, user_id), form, 422)
    accounts.set_roles(
        session=session, actor=current_actor(), user_id=user_id, roles=set(form.roles.data or ())
    )
    uow.commit(session=session)
    flash(_("The roles are saved."), "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<int:user_id>/deactivate")
def deactivate(user_id: int) -> ResponseReturnValue:
    return _set_active(user_id, False)


@bp.post("/users/<int:user_id>/reactivate")
def reactivate(user_id: int) -> ResponseReturnValue:
    return _set_active(user_id, True)


def _set_active(user_id: int, active: bool) -> ResponseReturnValue:
    session = get_session()
    accounts.set_active(session=session, actor=current_actor(), user_id=user_id, active=active)
    uow.commit(session=session)
    flash(
        _("The account is reactivated.") if active else _("The account is deactivated."), "success"
    )
    return redirect(url_for("admin.user", user_id=user_id))


def _date(name: str, end: bool = False) -> datetime | None:
    """A YYYY-MM-DD filter; anything else is ignored (the page says so next to the field)."""
    raw = request.args.get(name, "").strip()
    try:
        day = datetime.strptime(raw[:10], "%Y-%m-%d").replace(tzinfo=UTC) if raw else None
    except ValueError:
        return None
    return day + timedelta(days=1) if day and end else day


def audit_filters() -> audit_reads.AuditFilter:
    action = request.args.get("action", "")
    kind = request.args.get("target_kind", "")
    return audit_reads.AuditFilter(
        actor=request.args.get("actor", "")[:254],
        action=action if action in audit.ACTIONS else "",
        target_kind=kind if kind in audit.TARGET_KINDS else "",
        target_id=request.args.get("target_id", "")[:120],
        since=_date("since"),
        until=_date("until", end=True),
    )


@bp.get("/audit")
def audit_log() -> ResponseReturnValue:
    filters = audit_filters()
    try:
        page = max(1, min(int(request.args.get("page", "1")), 10_000))
    except ValueError:
        page = 1
    rows, total = audit_reads.search(
        session=get_session(),
        actor=current_actor(),
        filters=filters,
        offset=(page - 1) * PER_PAGE,
        limit=PER_PAGE,
    )
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "admin/audit.html",
        rows=rows,
        total=total,
        page=page,
        pages=max(1, math.ceil(total / PER_PAGE)),
        args=args,
        filters=filters,
        actions=audit.ACTIONS,
        target_kinds=audit.TARGET_KINDS,
    )


@bp.get("/audit.csv")
def audit_csv() -> ResponseReturnValue:
    filters = audit_filters()
    rows = audit_reads.csv_rows(session=get_session(), actor=current_actor(), filters=filters)
    first = next(rows)  # checks the permission before the response starts
    body = stream_with_context(_chain(first, rows))
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="kb-audit-{stamp}.csv"'},
    )


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield "\ufeff" + first  # BOM: spreadsheet programs then read UTF-8 correctly
    yield from rest
