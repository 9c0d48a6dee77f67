"""Administration of webhooks: /<lang>/admin/webhooks (list, register) and one webhook's deliveries.

Thin views over `kb.webhook_admin` and `kb.webhooks`, which check the permissions and audit.
A secret is shown once, on the page that answers its registration, and never again.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from kb import uow
from kb.accounts import admin_views as admin
from kb.accounts import forms
from kb.distribution import webhook_admin, webhooks
from kb.errors import ValidationError
from kb.web.auth import current_actor
from kb.web.database import get_session
from kb.web.i18n import install_lang
from kb.web.security import never_cache

bp = Blueprint("admin_webhooks", __name__, url_prefix="/<lang>/admin/webhooks")
install_lang(bp)
bp.before_request(admin.signed_in)
bp.after_request(never_cache)


def _list_page(
    form: forms.WebhookForm | None = None, status: int = 200, shown_secret: str = ""
) -> ResponseReturnValue:
    rows = webhook_admin.overview(session=get_session(), actor=current_actor())
    return render_template(
        "admin/webhooks.html",
        rows=rows,
        form=form or forms.WebhookForm(formdata=None),
        shown_secret=shown_secret,
    ), status


@bp.get("/")
def index() -> ResponseReturnValue:
    return _list_page()


@bp.post("/")
def add() -> ResponseReturnValue:
    form = forms.WebhookForm()
    if not form.validate_on_submit():
        return _list_page(form, 422)
    session = get_session()
    secret = form.secret.data or webhook_admin.new_secret()
    try:
        hook = webhooks.add(
            session=session, actor=current_actor(), url=form.url.data.strip(), secret=secret
        )
    except ValidationError as error:
        forms.show_errors(form, error)
        return _list_page(form, 422)
    uow.commit(session=session)
    flash(_("The webhook is registered: it receives the changes made from now on."), "success")
    # The secret is shown on this answer only (never stored in the session or shown again).
    shown = "" if form.secret.data else secret
    return _list_page(status=201, shown_secret=shown) if shown else redirect(
        url_for("admin_webhooks.show", webhook_id=hook.id)
    )


@bp.get("/<int:webhook_id>")
def show(webhook_id: int) -> ResponseReturnValue:
    found = webhook_admin.deliveries(
        session=get_session(), actor=current_actor(), webhook_id=webhook_id
    )
    return render_template(
        "admin/webhook.html", found=found, confirm=forms.ConfirmForm(formdata=None)
    )


@bp.post("/<int:webhook_id>/disable")
def disable(webhook_id: int) -> ResponseReturnValue:
    return _set_active(webhook_id, False)


@bp.post("/<int:webhook_id>/enable")
def enable(webhook_id: int) -> ResponseReturnValue:
    return _set_active(webhook_id, True)


def _set_active(webhook_id: int, active: bool) -> ResponseReturnValue:
    session = get_session()
    webhook_admin.set_active(
        session=session, actor=current_actor(), webhook_id=webhook_id, active=active
    )
    uow.commit(session=session)
    flash(
        _("The webhook is enabled again.") if active else _("The webhook is disabled."), "success"
    )
    return redirect(url_for("admin_webhooks.show", webhook_id=webhook_id))


@bp.post("/<int:webhook_id>/redeliver")
def redeliver(webhook_id: int) -> ResponseReturnValue:
    """Send the pending deliveries now, in order; the first failure stops them again."""
    session = get_session()
    webhook_admin.redeliver(session=session, actor=current_actor(), webhook_id=webhook_id)
    uow.commit(session=session)
    report = webhooks.deliver(session=session, webhook_id=webhook_id)
    flash(
        _(
            "Redelivery: %(delivered)d delivered, %(failed)d failed, %(waiting)d waiting.",
            delivered=report.delivered,
            failed=report.failed,
            waiting=report.waiting,
        ),
        "error" if report.failed else "success",
    )
    return redirect(url_for("admin_webhooks.show", webhook_id=webhook_id))
