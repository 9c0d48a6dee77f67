"""Signing in and out, one's own account, API tokens, invitations and password resets."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from kb import audit, uow
from kb.accounts import accounts, forms
from kb.accounts import links as account_links
from kb.accounts import sessions as login_sessions
from kb.accounts import tokens as api_tokens
from kb.errors import BadRequest, ValidationError
from kb.permissions import Actor
from kb.web import limits, security_events
from kb.web.auth import (
    client_address,
    current_account,
    current_actor,
    login_required,
    safe_next,
    secret_key,
    sign_in,
    sign_out,
)
from kb.web.database import get_session
from kb.web.i18n import install_lang
from kb.web.outbox import deliver_queued
from kb.web.security import never_cache
from kb.web.urls import mail_url

bp = Blueprint("account", __name__, url_prefix="/<lang>")
install_lang(bp)


bp.after_request(never_cache)


def _link_builder(token: str) -> str:
    return mail_url("account.set_password", token=token)


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    form = forms.LoginForm()
    next_url = safe_next(request.values.get("next"))
    if form.validate_on_submit():
        limits.count_sign_in(form.email.data)
        session = get_session()
        account = accounts.authenticate(
            session, form.email.data, form.password.data, address=client_address()
        )
        if account is not None:
            uow.commit(session=session)
            sign_in(account)
            flash(_("You are signed in."), "success")
            return redirect(next_url or url_for("account.overview", lang=account.user.language))
        known = accounts.find_by_email(session, form.email.data)
        security_events.report(
            audit.SignInFailed(security_events.network(), known.id if known else None),
            Actor.anonymous(address=client_address()),
        )
        form.password.errors = [_("E-mail address or password incorrect.")]
        return render_template("account/login.html", form=form, next=next_url), 401
    return render_template("account/login.html", form=form, next=next_url)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    sign_out()
    flash(_("You are signed out."), "success")
    return redirect(url_for("public.home"))


@bp.get("/account")
@login_required
def overview() -> ResponseReturnValue:
    return _account_page()


def _account_page(status: int = 200, **overrides: object) -> ResponseReturnValue:
    account = current_account()
    context: dict[str, object] = {
        "account": account,
        "profile": forms.ProfileForm(
            display_name=account.user.display_name,
            language=account.user.language,
            email_notifications=account.user.email_notifications,
            formdata=None,
        ),
        "password_form": forms.ChangePasswordForm(formdata=None),
        "token_form": forms.TokenForm(formdata=None),
        "revoke_form": forms.ConfirmForm(formdata=None),
        "tokens": api_tokens.tokens_of(get_session(), account.id),
        "new_token": None,
    }
    context.update(overrides)
    return render_template("account/account.html", **context), status


@bp.post("/account")
@login_required
def edit_profile() -> ResponseReturnValue:
    form = forms.ProfileForm()
    if not form.validate_on_submit():
        return _account_page(422, profile=form)
    session = get_session()
    account = current_account()
    try:
        accounts.edit_profile(
            session=session,
            actor=current_actor(),
            user_id=account.id,
            display_name=form.display_name.data,
            language=form.language.data,
            email_notifications=form.email_notifications.data,
        )
    except ValidationError as error:
        forms.show_errors(form, error)
        return _account_page(422, profile=form)
    uow.commit(session=session)
    flash(_("Your account is saved."), "success")
    return redirect(url_for("account.overview"))


@bp.post("/account/password")
@login_required
def change_password() -> ResponseReturnValue:
    form = forms.ChangePasswordForm()
    if not form.validate_on_submit():
        return _account_page(422, password_form=form)
    session = get_session()
    try:
        account = accounts.change_password(
            session=session,
            actor=current_actor(),
            user_id=current_account().id,
            current=form.current_password.data,
            new=form.new_password.data,
        )
    except ValidationError as error:
        forms.show_errors(form, error)
        return _account_page(422, password_form=form)
    uow.commit(session=session)
    sign_in(account)  # this session continues under the new session version; the others end
    flash(_("Your password is changed. Your other sessions have been signed out."), "success")
    return redirect(url_for("account.overview"))


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere() -> ResponseReturnValue:
    session = get_session()
    login_sessions.end_all(session=session, actor=current_actor(), user_id=current_account().id)
    uow.commit(session=session)
    sign_out()
    flash(_("You are signed out on every device, this one included."), "success")
    return redirect(url_for("account.login"))


@bp.post("/account/tokens")
@login_required
def create_token() -> ResponseReturnValue:
    form = forms.TokenForm()
    if not form.validate_on_submit():
        return _account_page(422, token_form=form)
    session = get_session()
    account = current_account()
    try:
        _token, plain = api_tokens.create_token(
            session=session, actor=current_actor(), user_id=account.id, name=form.name.data
        )
    except ValidationError as error:
        forms.show_errors(form, error)
        return _account_page(422, token_form=form)
    uow.commit(session=session)
    # Shown in this response only: never put in a flash message (the session cookie is signed,
    # not encrypted) and never shown again.
    return _account_page(201, new_token=plain)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int) -> ResponseReturnValue:
    session = get_session()
    api_tokens.revoke_token(session=session, actor=current_actor(), token_id=token_id)
    uow.commit(session=session)
    flash(_("The token is revoked."), "success")
    return redirect(url_for("account.overview"))


@bp.route("/password/reset", methods=["GET", "POST"])
def reset_request() -> ResponseReturnValue:
    form = forms.ResetRequestForm()
    if form.validate_on_submit():
        limits.count_sign_in(form.email.data)
        # Refused here when no origin is trusted for links, whether the account exists or not
        # (refusing only for existing accounts would tell which addresses have one).
        mail_url("account.set_password", token="-")
        session = get_session()
        account_links.request_reset(
            session=session,
            email=form.email.data,
            secret=secret_key(),
            link=_link_builder,
            address=client_address(),
        )
        uow.commit(session=session)
        deliver_queued()
        # The same answer whether the address has an account or not (no enumeration).
        flash(
            _(
                "If an account uses this address, we have sent it a link to choose a new "
                "password. The link is valid for one hour."
            ),
            "success",
        )
        return redirect(url_for("account.login"))
    return render_template("account/reset_request.html", form=form)


@bp.route("/password/set/<token>", methods=["GET", "POST"])
def set_password(token: str) -> ResponseReturnValue:
    session = get_session()
    try:
        account, purpose = account_links.read_link(session, secret_key(), token)
    except BadRequest:
        return render_template("account/link_invalid.html"), 400
    form = forms.SetPasswordForm()
    if form.validate_on_submit():
        try:
            account_links.set_password_from_link(
                session=session,
                secret=secret_key(),
                token=token,
                password=form.password.data,
                address=client_address(),
            )
        except ValidationError as error:
            forms.show_errors(form, error)
        else:
            uow.commit(session=session)
            sign_out()
            flash(_("Your password is saved. You can now sign in."), "success")
            return redirect(url_for("account.login", lang=g.lang))
    status = 422 if form.errors else 200
    return render_template(
        "account/set_password.html", form=form, account=account, purpose=purpose
    ), status
