"""Forms of the account and admin pages (Flask-WTF: validation and a CSRF token on each)."""

from __future__ import annotations

from flask import flash
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length
from wtforms.widgets import CheckboxInput, ListWidget

from kb.accounts.accounts import NAME_MAX
from kb.accounts.passwords import PASSWORD_MAX, PASSWORD_MIN
from kb.errors import ValidationError
from kb.permissions import ROLES
from kb.web.i18n import localized

ROLE_LABELS = {
    "contributor": _l("Contributor (drafts and submits city spotlights)"),
    "moderator": _l("Moderator (reviews, edits, publishes, archives)"),
    "curator": _l("Curator (collections and exports)"),
    "admin": _l("Administrator (accounts, roles, audit log)"),
}
ROLE_NAMES = {
    "contributor": _l("contributor"),
    "moderator": _l("moderator"),
    "curator": _l("curator"),
    "admin": _l("administrator"),
}


def role_names(roles: frozenset[str] | set[str]) -> str:
    """'contributeur, modérateur' in the reader's language, in the order of ROLES."""
    return ", ".join(str(ROLE_NAMES[r]) for r in ROLES if r in roles)


LANGUAGE_CHOICES = [SelectChoice("fr", "Français"), SelectChoice("en", "English")]


class CheckboxesField(SelectMultipleField):  # type: ignore[misc]
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _password_length() -> Length:
    return Length(
        min=PASSWORD_MIN,
        max=PASSWORD_MAX,
        message=_l("Between %(min)d and %(max)d characters.", min=PASSWORD_MIN, max=PASSWORD_MAX),
    )


class LoginForm(FlaskForm):  # type: ignore[misc]
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    submit = SubmitField(_l("Sign in"))


class ResetRequestForm(FlaskForm):  # type: ignore[misc]
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    submit = SubmitField(_l("Send me a link"))


class SetPasswordForm(FlaskForm):  # type: ignore[misc]
    password = PasswordField(_l("New password"), validators=[DataRequired(), _password_length()])
    confirm = PasswordField(
        _l("New password, again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )
    submit = SubmitField(_l("Save the password"))


class ProfileForm(FlaskForm):  # type: ignore[misc]
    display_name = StringField(
        _l("Display name"), validators=[DataRequired(), Length(max=NAME_MAX)]
    )
    language = SelectField(_l("Interface language"), choices=LANGUAGE_CHOICES)
    email_notifications = BooleanField(_l("Send me e-mail notifications"))
    submit = SubmitField(_l("Save"))


class ChangePasswordForm(FlaskForm):  # type: ignore[misc]
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=PASSWORD_MAX)]
    )
    new_password = PasswordField(
        _l("New password"), validators=[DataRequired(), _password_length()]
    )
    confirm = PasswordField(
        _l("New password, again"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("The two passwords differ.")),
        ],
    )
    submit = SubmitField(_l("Change the password"))


class TokenForm(FlaskForm):  # type: ignore[misc]
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=80)])
    submit = SubmitField(_l("Create a token"))


class WebhookForm(FlaskForm):  # type: ignore[misc]
    url = StringField(
        _l("Address that receives the changes"), validators=[DataRequired(), Length(max=2000)]
    )
    secret = PasswordField(
        _l("Shared secret (16 characters or more; leave empty to have one generated)"),
        validators=[Length(max=200)],
    )
    submit = SubmitField(_l("Register the webhook"))


class ConfirmForm(FlaskForm):  # type: ignore[misc]
    """A button that changes something: only its CSRF token is needed."""

    submit = SubmitField()


def _role_choices() -> list[SelectChoice]:
    return [SelectChoice(role, str(ROLE_LABELS[role])) for role in ROLES]


class InviteForm(FlaskForm):  # type: ignore[misc]
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=NAME_MAX)])
    language = SelectField(_l("Language of the invitation"), choices=LANGUAGE_CHOICES)
    roles = CheckboxesField(_l("Roles"), choices=_role_choices, validate_choice=True)
    submit = SubmitField(_l("Send the invitation"))


class RolesForm(FlaskForm):  # type: ignore[misc]
    roles = CheckboxesField(_l("Roles"), choices=_role_choices, validate_choice=True)
    submit = SubmitField(_l("Save the roles"))


def show_errors(form: FlaskForm, error: ValidationError) -> None:
    """Put the domain's validation errors next to their fields, in the reader's language."""
    for problem in error.errors:
        field = getattr(form, problem.field, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors), localized(problem)]
        else:
            flash(localized(problem), "error")
