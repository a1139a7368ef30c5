"""Shared form pieces: GOV.UK-styled fields with plain-English validation messages."""

from __future__ import annotations

from flask import current_app
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError


class MinimumPasswordLength:
    """At least ``PASSWORD_MIN_LENGTH`` characters; length beats complexity rules (NCSC guidance)."""

    def __call__(self, form: FlaskForm, field: PasswordField) -> None:
        minimum = current_app.config["PASSWORD_MIN_LENGTH"]
        if field.data and len(field.data) < minimum:
            raise ValidationError(f"Password must be {minimum} characters or more")


def email_field(label: str = "Email address") -> EmailField:
    return EmailField(
        label,
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter your email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
            Email(message="Enter an email address in the correct format, like name@example.com",
                  check_deliverability=False),
        ],
    )


def new_password_fields() -> tuple[PasswordField, PasswordField]:
    password = PasswordField(
        "Create a password",
        widget=GovPasswordInput(),
        description="Use 10 or more characters. A few words you will remember works well.",
        validators=[
            DataRequired(message="Create a password"),
            MinimumPasswordLength(),
            Length(max=200, message="Password must be 200 characters or fewer"),
        ],
    )
    confirm = PasswordField(
        "Confirm password",
        widget=GovPasswordInput(),
        validators=[
            DataRequired(message="Confirm your password"),
            EqualTo("password", message="Passwords must match"),
        ],
    )
    return password, confirm


def name_field(label: str, description: str = "", required_message: str = "Enter a name") -> StringField:
    return StringField(
        label,
        widget=GovTextInput(),
        description=description,
        validators=[DataRequired(message=required_message), Length(max=100, message="Name must be 100 characters or fewer")],
    )


def submit(label: str) -> SubmitField:
    return SubmitField(label, widget=GovSubmitInput())


def show_error(form: FlaskForm, error: Exception) -> None:
    """Show a domain error next to the field it belongs to (or the first field), as if the form had found it."""
    name = getattr(error, "field", None)
    field = form._fields.get(name) if name else None
    if field is None:
        field = next(f for f in form if f.name != "csrf_token")
    field.errors = [*field.errors, str(error)]
