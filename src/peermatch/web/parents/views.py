"""A parent's pages: asking for support, following requests, and their own data.

Every page here shows personal data, so none is ever cached (see the app's after_request).
Forms here check their own CSRF token instead of the global check, so that a page left open
too long is shown again with the parent's answers and a plain message, never an error page.
"""

from __future__ import annotations

import json
from dataclasses import replace

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from peermatch import clock, sessions
from peermatch.errors import DomainError, NotFound
from peermatch.extensions import csrf, db
from peermatch.models import MessageSender, Role
from peermatch.reads import parents as reads
from peermatch.reference import DAYS, PARTS_OF_DAY
from peermatch.services import drafts, matches, personal_data, requests
from peermatch.web import threads
from peermatch.web.access import public, roles_required
from peermatch.web.forms import MessageForm, show_error
from peermatch.web.parents import forms
from peermatch.web.parents.answers import answer_sections, timeline
from peermatch.web.parents.steps import (
    STEPS,
    STEPS_BY_SLUG,
    Context,
    contact_answers,
    load_contact,
    next_step,
    question_number,
)
from peermatch.web.wording import REQUEST_STATUS_FOR_PARENTS

bp = Blueprint("parents", __name__, template_folder="templates")
CONSENT_PURPOSES = {drafts.CONSENT_PURPOSE: "The organisers of the parent group in your area, and the advocate who "
                                            "supports you, can see your answers"}
csrf.exempt(bp)

TIMED_OUT = ("This page was open for a long time, so for your security your answer was not saved yet. "
             "Check your answer and select Continue again")


def validate(form: FlaskForm) -> bool:
    """``validate_on_submit`` that turns an expired or missing CSRF token into a plain message."""
    if not form.is_submitted():
        return False
    valid = form.validate()
    if "csrf_token" in form.errors:
        form.csrf_token.errors = [TIMED_OUT]
        return False
    return valid


def _context() -> Context:
    return Context(
        session=db.session, parent=current_user._get_current_object(),
        draft=drafts.current_draft(db.session, current_user), now=clock.now(),
        privacy_version=current_app.config["PRIVACY_NOTICE_VERSION"],
    )


# -- your requests ---------------------------------------------------------------------------------

@bp.get("/your-requests/")
@roles_required(Role.PARENT)
def home():
    return render_template("parents/home.html", requests=reads.sent_requests(db.session, current_user),
                           draft=drafts.existing_draft(db.session, current_user), wording=REQUEST_STATUS_FOR_PARENTS)


def _own_request_or_404(request_id: str):  # type: ignore[no-untyped-def]
    try:
        return reads.own_request(db.session, current_user, request_id)
    except NotFound:
        abort(404)


@bp.get("/your-requests/<request_id>")
@roles_required(Role.PARENT)
def request_detail(request_id: str):
    return _request_page(request_id, MessageForm(formdata=None))


def _request_page(request_id: str, message_form: MessageForm) -> str:
    try:
        page = reads.request_page(db.session, current_user, request_id)
    except NotFound:
        abort(404)
    return render_template(
        "parents/request.html", request=page.request, match=page.match, wording=REQUEST_STATUS_FOR_PARENTS,
        can_withdraw=page.can_withdraw, can_give_feedback=page.can_give_feedback,
        can_change_contact=page.can_change_contact, messages=page.messages, can_write=page.can_write,
        form=message_form, sections=answer_sections(page.request), links=_request_links(page),
        timeline=timeline(page.request),
    )


def _request_links(page: reads.RequestPage) -> dict[str, str]:
    """Where each answer of a sent request is changed, while it can be (the rest cannot change after sending)."""
    links = {}
    if page.can_change_contact:
        contact = url_for("parents.change_contact", request_id=page.request.id)
        links.update({"contact": contact, "message-times": contact})
    if page.can_change_request:
        links.update({slug: url_for("parents.change_request", request_id=page.request.id, slug=slug)
                      for slug in CHANGEABLE})
    return links


@bp.post("/your-requests/<request_id>/messages")
@roles_required(Role.PARENT)
def send_message(request_id: str):
    """Write to the advocate; a thread that has closed refuses with a message on the request page."""
    try:
        match = reads.own_match(db.session, current_user, request_id)
    except NotFound:
        abort(404)
    return threads.send_from(match, MessageSender.PARENT,
                             url_for("parents.request_detail", request_id=match.request_id), validate,
                             lambda form: _request_page(request_id, form))


@bp.route("/your-requests/<request_id>/cancel", methods=["GET", "POST"])
@roles_required(Role.PARENT)
def withdraw(request_id: str):
    request = _own_request_or_404(request_id)
    if not requests.can_withdraw(request):
        flash("This request has already finished, so it cannot be cancelled", "info")
        return redirect(url_for("parents.request_detail", request_id=request.id))
    form = forms.WithdrawForm()
    if validate(form):
        if form.confirm.data == "yes":
            try:
                requests.withdraw(db.session, request, current_user, clock.now())
            except DomainError as error:
                flash(str(error), "info")
            else:
                flash("Your request has been cancelled", "success")
        return redirect(url_for("parents.request_detail", request_id=request.id))
    return render_template("parents/withdraw.html", form=form, request=request)


@bp.route("/your-requests/<request_id>/contact", methods=["GET", "POST"])
@roles_required(Role.PARENT)
def change_contact(request_id: str):
    """Change how and when it is safe to be contacted, at any time until the request is finished."""
    request = _own_request_or_404(request_id)
    if not drafts.can_change_safe_contact(request):
        flash("This request has finished, so how we contact you can no longer change", "info")
        return redirect(url_for("parents.request_detail", request_id=request.id))
    form = forms.ChangeContactForm()
    if validate(form):
        try:
            drafts.change_safe_contact(db.session, request, current_user, contact_answers(form),
                                       form.message_times.mask, clock.now())
        except DomainError as error:
            show_error(form, error)
        else:
            flash("Your changes have been saved. We will use them from the next message", "success")
            return redirect(url_for("parents.request_detail", request_id=request.id))
    elif not form.is_submitted():
        load_contact(form, request.safe_contact)
        if request.safe_contact is not None:
            form.message_times.set_mask(request.safe_contact.message_times_mask)
    return render_template("parents/change_contact.html", form=form, request=request)


# What a parent can change on a sent request, each through its own question page and save.
CHANGEABLE = ("meeting", "meeting-date", "how", "when-free")


@bp.route("/your-requests/<request_id>/change/<slug>", methods=["GET", "POST"])
@roles_required(Role.PARENT)
def change_request(request_id: str, slug: str):
    """Change the meeting, its date, how support could happen or free times, with the question's own page."""
    if slug not in CHANGEABLE:
        abort(404)
    request = _own_request_or_404(request_id)
    back = url_for("parents.request_detail", request_id=request.id)
    if not drafts.can_change_request(request):
        flash("This request has finished, so it can no longer change", "info")
        return redirect(back)
    step = STEPS_BY_SLUG[slug]
    ctx = replace(_context(), draft=request)
    form = step.form()
    step.prepare(form, ctx)
    if validate(form):
        try:
            result = drafts.change_sent_request(db.session, request, current_user,
                                                lambda changing: step.save(form, replace(ctx, draft=changing)),
                                                clock.now())
        except DomainError as error:
            show_error(form, error)
        else:
            if slug == "meeting" and request.meeting_type:
                return redirect(url_for("parents.change_request", request_id=request.id, slug="meeting-date"))
            if result.changed:
                flash("Your changes have been saved. The organisers can see them now"
                      + (". We will look for another advocate who fits your new answers" if result.withdrawn else ""),
                      "success")
            return redirect(back)
    elif not form.is_submitted():
        step.load(form, ctx)
    return render_template(f"parents/questions/{slug}.html", form=form, heading=form.page_heading(), slug=slug,
                           back=back, days=DAYS, parts=PARTS_OF_DAY, sent_request=request)


@bp.route("/your-requests/<request_id>/feedback", methods=["GET", "POST"])
@roles_required(Role.PARENT)
def feedback(request_id: str):
    request = _own_request_or_404(request_id)
    if not matches.can_give_parent_feedback(db.session, request):
        abort(404)
    form = forms.FeedbackForm()
    if validate(form):
        try:
            matches.give_parent_feedback(db.session, request, current_user, int(form.rating.data),
                                         form.comments.data or "", clock.now())
        except DomainError as error:
            show_error(form, error)
        else:
            flash("Thank you for your feedback", "success")
            return redirect(url_for("parents.request_detail", request_id=request.id))
    return render_template("parents/feedback.html", form=form, request=request)


# -- ask for support ---------------------------------------------------------------------------------

@bp.get("/ask/")
@roles_required(Role.PARENT)
def ask():
    """Carry on where the parent left off: the first unanswered question, or check answers."""
    draft = drafts.current_draft(db.session, current_user)
    missing = drafts.missing_steps(draft)
    if not missing:
        return redirect(url_for("parents.check_answers"))
    return redirect(url_for("parents.question", slug=missing[0]))


@bp.route("/ask/<slug>", methods=["GET", "POST"])
@roles_required(Role.PARENT)
def question(slug: str):
    step = STEPS_BY_SLUG.get(slug)
    if step is None:
        abort(404)
    ctx = _context()
    form = step.form()
    step.prepare(form, ctx)
    if validate(form):
        try:
            step.save(form, ctx)
        except DomainError as error:
            show_error(form, error)
        else:
            following = next_step(ctx.draft, slug)
            # When changing one answer, go back to check answers unless it opened a new question.
            if following and (not _changing() or following in drafts.missing_steps(ctx.draft)):
                return redirect(url_for("parents.question", slug=following, **_change_args()))
            return redirect(url_for("parents.check_answers"))
    elif not form.is_submitted():
        step.load(form, ctx)
    number, total = question_number(slug)
    return render_template(
        f"parents/questions/{slug}.html", form=form, heading=form.page_heading(), number=number, total=total, slug=slug,
        back=_back_link(ctx.draft, slug), days=DAYS, parts=PARTS_OF_DAY,
    )


def _changing() -> bool:
    from flask import request

    return request.args.get("change") == "1"


def _change_args() -> dict[str, str]:
    return {"change": "1"} if _changing() else {}


def _back_link(draft, slug: str) -> str:  # type: ignore[no-untyped-def]
    if _changing():
        return url_for("parents.check_answers")
    slugs = [s.slug for s in STEPS]
    earlier = [s for s in STEPS[: slugs.index(slug)] if s.applies(draft)]
    if slug == "council-area":
        return url_for("parents.question", slug="where")
    return url_for("parents.question", slug=earlier[-1].slug) if earlier else url_for("parents.home")


@bp.route("/ask/check-answers", methods=["GET", "POST"])
@roles_required(Role.PARENT)
def check_answers():
    draft = drafts.current_draft(db.session, current_user)
    form = forms.SendForm()
    missing = drafts.missing_steps(draft)
    if validate(form):
        try:
            requests.submit(db.session, draft, current_user, clock.now())
        except DomainError:
            flash("Answer all the questions before sending your request", "info")
        else:
            return redirect(url_for("parents.sent"))
    links = {step.slug: url_for("parents.question", slug=step.slug, change="1") for step in STEPS}
    return render_template("parents/check_answers.html", form=form, draft=draft, missing=missing,
                           sections=answer_sections(draft), links=links)


@bp.get("/ask/sent")
@roles_required(Role.PARENT)
def sent():
    request = reads.latest_submitted(db.session, current_user)
    if request is None:
        return redirect(url_for("parents.ask"))
    return render_template("parents/sent.html", request=request)


# -- your data ------------------------------------------------------------------------------------------

@bp.get("/your-data")
@roles_required(Role.PARENT)
def your_data():
    return render_template("parents/your_data.html")


@bp.get("/your-data/to-read")
@roles_required(Role.PARENT)
def read_data():
    """Everything we hold, in words (labels, dates, days and times), to print or save beside the JSON download."""
    records = personal_data.parent_records(db.session, current_user, clock.now())
    held = [(request, advocate, answer_sections(request), timeline(request)) for request, advocate in records.requests]
    return render_template("parents/read_data.html", records=records, held=held, wording=REQUEST_STATUS_FOR_PARENTS,
                           purposes=CONSENT_PURPOSES)


@bp.get("/your-data/download")
@roles_required(Role.PARENT)
def download_data():
    data = personal_data.export_parent_data(db.session, current_user, clock.now())
    body = json.dumps(data, indent=2, ensure_ascii=False)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": 'attachment; filename="peermatch-your-data.json"'})


@bp.route("/your-data/delete", methods=["GET", "POST"])
@roles_required(Role.PARENT)
def delete_account():
    form = forms.DeleteAccountForm()
    if validate(form):
        if form.confirm.data != "yes":
            return redirect(url_for("parents.your_data"))
        try:
            personal_data.erase_parent(db.session, current_user._get_current_object(), clock.now())
        except DomainError:
            pass  # deleted a moment ago (a double click): the outcome the parent asked for
        sessions.sign_out()
        return redirect(url_for("parents.deleted"))
    return render_template("parents/delete.html", form=form)


@bp.get("/your-data/deleted")
@public
def deleted():
    return render_template("parents/deleted.html")

