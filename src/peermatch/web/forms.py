"""Shared form pieces: GOV.UK-styled fields with plain-English validation messages."""

from __future__ import annotations

from flask import current_app
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from peermatch.web.widgets import Checkboxes


class MinimumPasswordLength:
    """At least ``PASSWORD_MIN_LENGTH`` characters; length beats complexity rules (NCSC guidance)."""

    def __call__(self, form: FlaskForm, field: PasswordField) -> None:
        minimum = current_app.config["PASSWORD_MIN_LENGTH"]
        if field.data and len(field.data) < minimum:
            raise ValidationError(f"Password must be {minimum} characters or more")


class HardToGuessPassword:
    """Refuse common and guessable passwords, with zxcvbn's plain reason; no composition rules.

    zxcvbn's score 3 ("safely unguessable") or more is needed. It judges the first 72
    characters only: its time grows steeply with length (over a second at 256), and a
    password whose first 72 characters are hard to guess is hard to guess.
    """

    CHECKED = 72

    def __call__(self, form: FlaskForm, field: PasswordField) -> None:
        from zxcvbn import zxcvbn

        if not field.data or len(field.data) < current_app.config["PASSWORD_MIN_LENGTH"]:
            return
        known = [str(getattr(form, name).data or "") for name in ("email", "display_name") if hasattr(form, name)]
        known += list(getattr(form, "known_words", []))  # set by views that know whose password it is
        known += [part for value in known for part in value.replace("@", " ").replace(".", " ").split()]
        found = zxcvbn(field.data[:self.CHECKED], user_inputs=known + ["peermatch", "parent", "advocate"])
        if found["score"] < 3:
            reason = found["feedback"]["warning"] or "It would be easy to guess."
            raise ValidationError(f"Choose a password that is harder to guess. {reason} "
                                  "A few unrelated words you will remember work well")


#: A UK or international phone number as people type it (the parent's safe phone, staff's phone for texts).
PHONE_PATTERN = r"^\+?[0-9 ()-]{10,20}$"
PHONE_FORMAT_MESSAGE = "Enter a phone number, like 07700 900 982"


def email_field(label: str = "Email address", required_message: str = "Enter your email address") -> EmailField:
    return EmailField(
        label,
        widget=GovTextInput(),
        validators=[
            DataRequired(message=required_message),
            Length(max=254, message="Email address must be 254 characters or fewer"),
            Email(message="Enter an email address in the correct format, like name@example.com",
                  check_deliverability=False),
        ],
    )


def new_password_fields(label: str = "Create a password") -> tuple[PasswordField, PasswordField]:
    password = PasswordField(
        label,
        widget=GovPasswordInput(),
        description="Use 10 or more characters. A few words you will remember works well.",
        validators=[
            DataRequired(message="Create a password"),
            MinimumPasswordLength(),
            Length(max=256, message="Password must be 256 characters or fewer"),
            HardToGuessPassword(),
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


class MessageForm(FlaskForm):
    """A message to the other side of a match (the parent or their advocate); its length is the service's rule."""

    body = TextAreaField("Write a message", widget=GovCharacterCount(),
                         validators=[DataRequired(message="Enter your message")])
    help = SelectMultipleField(
        "Do you need help from the organisers?", widget=Checkboxes(),
        choices={"yes": "Yes, ask the organisers to help"}, invalid_choice_message="Select yes, or leave it empty",
        description="They will be told that you asked, and will read these messages to help.")
    submit = submit("Send message")

    @property
    def asks_for_help(self) -> bool:
        return "yes" in (self.help.data or [])
