"""The reports pages, shared by organisers (their organisation) and the admin (the network, or one organisation).

The period is chosen with GET (the address can be bookmarked or sent to a colleague); each
table has a CSV download that carries the same period. Downloads need a recent sign-in and
are recorded in the audit log (``reads.reports.download``). Charts are drawn here as SVG,
with no script, and each sits beside the table that holds its figures.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, timedelta
from typing import Any, Sequence

from flask import Response, abort, current_app, render_template, request, url_for
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import SelectField, SubmitField
from wtforms.validators import ValidationError

from peermatch import clock
from peermatch.extensions import db
from peermatch.reads import reports
from peermatch.services import retention
from peermatch.web.fields import GovDateField
from peermatch.web.widgets import FilterButton, FilterSelect


class PeriodForm(FlaskForm):
    """The report's period (sent with GET, so no CSRF token), and for the admin whose requests."""

    class Meta:
        csrf = False

    organisation = SelectField("Organisation", widget=FilterSelect(), validate_choice=False)
    since = GovDateField("From", what="the first day")
    until = GovDateField("To", what="the last day")
    submit = SubmitField("Show", widget=FilterButton())

    def validate_until(self, field: Any) -> None:
        today = clock.today()
        if field.data is not None and field.data > today:
            raise ValidationError("The last day must be today or in the past")
        if field.data is not None and self.since.data is not None and self.since.data > field.data:
            raise ValidationError("The last day must be the same as or after the first day")


def _period(form: PeriodForm) -> tuple[date, date] | None:
    """The chosen period, the last 12 months by default; None when the form has errors."""
    start, end = reports.last_twelve_months(clock.today())
    if not request.args:
        return start, end
    if not form.validate():
        return None
    end = form.until.data or end
    start = form.since.data or reports.last_twelve_months(end)[0]  # "to" alone: the year up to that day
    return start, end


def period_links(endpoint: str, today: date, **extra: Any) -> list[tuple[str, str]]:
    """Ready-made periods, as links: the last 3, 6 and 12 months."""
    links = []
    for months, label in ((3, "Last 3 months"), (6, "Last 6 months"), (12, "Last 12 months")):
        start = reports.months_before(today, months) + timedelta(days=1)
        links.append((label, url_for(endpoint, since=_date_parts(start), until=_date_parts(today), **extra)))
    return links


def _date_parts(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def _whose(admin: bool, organisation_id: uuid.UUID | None) -> tuple[uuid.UUID | None, dict[uuid.UUID, str] | None]:
    """Whose figures: an organiser's own organisation; for the admin the one chosen, else (None) the network.

    Also the organisations by name, for the admin (their choices, and the side-by-side table).
    """
    if not admin:
        return organisation_id, None
    organisations = reports.organisation_names(db.session)
    chosen = request.args.get("organisation", "")
    found = next((k for k in organisations if str(k) == chosen), None)
    if chosen and found is None:
        abort(404)
    return found, organisations


def page(endpoint: str, download_endpoint: str, organisation_id: uuid.UUID | None, *, admin: bool = False) -> Any:
    """The reports page for one organisation, or (admin, no organisation chosen) the whole network."""
    form = PeriodForm(request.args)
    organisation_id, organisations = _whose(admin, organisation_id)
    if organisations is not None:
        form.organisation.choices = {"": "The whole network", **{str(k): v for k, v in organisations.items()}}
    chosen = {"organisation": str(organisation_id)} if admin and organisation_id is not None else {}
    if organisations is not None:
        name = organisations.get(organisation_id, "The whole network") if organisation_id else "The whole network"
    else:
        from flask_login import current_user

        name = current_user.organisation.name
    links = period_links(endpoint, clock.today(), **chosen)
    period = _period(form)
    if period is None:
        return render_template("reports.html", form=form, report=None, links=links, admin=admin, whose=name)
    for box, day in ((form.since, period[0]), (form.until, period[1])):  # the boxes show the period shown
        if not any(box.raw_data or ()):
            box.data, box.raw_data = day, _date_parts(day)
    scope = reports.Scope(organisation_id, *period)
    report = reports.report(db.session, scope, clock.now(), retention.retention_days(db.session, current_app.config),
                            organisations if organisation_id is None else None)
    arguments = {"since": _date_parts(scope.start), "until": _date_parts(scope.end), **chosen}
    return render_template("reports.html", form=form, report=report, links=links, admin=admin, whose=name,
                           download_endpoint=download_endpoint, arguments=arguments)


def download(key: str, organisation_id: uuid.UUID | None, *, admin: bool = False) -> Response:
    """One table as CSV: counts only, suppressed cells as ``<5``; recorded in the audit log."""
    from flask_login import current_user

    organisation_id, organisations = _whose(admin, organisation_id)
    period = _period(PeriodForm(request.args))
    if period is None:
        abort(400)
    scope = reports.Scope(organisation_id, *period)
    table = reports.download(db.session, current_user, scope, key, clock.now(),
                             retention.retention_days(db.session, current_app.config),
                             organisations if organisation_id is None else None)
    if table is None:
        abort(404)
    filename = f"peermatch-{key}-{scope.start.isoformat()}-to-{scope.end.isoformat()}.csv"
    return Response(csv_text(table), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def csv_text(table: reports.Table) -> str:
    """The table as CSV; a cell a spreadsheet could read as a formula is written as text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.name for column in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(value) for value in row])
    return out.getvalue()


def _csv_cell(value: Any) -> Any:
    if value is reports.SUPPRESSED:
        return "<5"
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


# -- what the page shows -----------------------------------------------------------------------------------------

def cell_text(value: Any, kind: str) -> str:
    """A figure as a person reads it."""
    if value is reports.SUPPRESSED:
        return "fewer than 5"
    if value is None:
        return "–"
    if kind == "count":
        return f"{value:,}"
    if kind == "percent":
        return f"{value:.0f}%" if value == int(value) else f"{value:.1f}%"
    if kind in ("days", "hours", "rating"):
        return f"{value:,.1f}"
    return str(value)


def table_rows(table: reports.Table, skip: tuple[str, Any] | None = None) -> list[list[dict[str, str]]]:
    """Rows as govukTable takes them; ``skip`` = (column, value) leaves out the rows holding that value there."""
    index = [c.name for c in table.columns].index(skip[0]) if skip else -1
    return [[{"text": cell_text(value, column.kind)} for value, column in zip(row, table.columns)]
            for row in table.rows if skip is None or row[index] != skip[1]]


# -- charts ----------------------------------------------------------------------------------------------------

def _svg(chart_id: str, title: str, width: int, height: int, body: str, *, classes: str = "") -> Markup:
    return Markup(
        f'<svg class="pm-chart {classes}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">The table after this chart holds the same figures.</desc>{body}</svg>')


def _text(x: float, y: float, words: str, *, anchor: str = "start", classes: str = "pm-chart__label",
          extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" class="{classes}"{extra}>{escape(words)}</text>'


def _shorten(words: str, most: int) -> str:
    return words if len(words) <= most else words[: most - 1].rstrip() + "…"


def bar_chart(table: reports.Table, label: str, value: str, title: str) -> Markup:
    """Horizontal bars, one a row; a suppressed figure gets no bar, only its words."""
    names, values = table.column(label), table.column(value)
    kind = next(c.kind for c in table.columns if c.name == value)
    shown = [v for v in values if isinstance(v, (int, float)) and v is not reports.SUPPRESSED]
    top = max(shown, default=0) or 1
    row, left, width = 26, 190, 640
    body = []
    for index, (name, figure) in enumerate(zip(names, values)):
        y = 8 + index * row
        body.append(_text(left - 8, y + 15, _shorten(str(name), 28), anchor="end"))
        if isinstance(figure, (int, float)) and figure is not reports.SUPPRESSED:
            length = max(1.0, (width - left - 90) * float(figure) / top)
            body.append(f'<rect x="{left}" y="{y + 3}" width="{length:.1f}" height="{row - 8}" class="pm-chart__bar"/>')
            body.append(_text(left + length + 6, y + 15, cell_text(figure, kind)))
        else:
            body.append(_text(left + 6, y + 15, cell_text(figure, kind), classes="pm-chart__label pm-chart__muted"))
    height = 16 + len(names) * row
    return _svg(table.key + "-chart", title, width, height, "".join(body))


def column_chart(table: reports.Table, label: str, value: str, title: str) -> Markup:
    """Upright columns over time (months); a suppressed month gets a short grey mark."""
    names, values = table.column(label), table.column(value)
    shown = [v for v in values if isinstance(v, int) and v is not reports.SUPPRESSED]
    top = max(shown, default=0) or 1
    width, height, bottom, left = 640, 240, 200, 30
    step = (width - left - 10) / max(1, len(names))
    body = [f'<line x1="{left}" y1="{bottom}" x2="{width - 10}" y2="{bottom}" class="pm-chart__axis"/>']
    for index, (name, figure) in enumerate(zip(names, values)):
        x = left + index * step
        if isinstance(figure, int) and figure is not reports.SUPPRESSED:
            tall = (bottom - 30) * figure / top
            body.append(f'<rect x="{x + 4:.1f}" y="{bottom - tall:.1f}" width="{step - 8:.1f}" height="{tall:.1f}" '
                        'class="pm-chart__bar"/>')
            body.append(_text(x + step / 2, bottom - tall - 6, f"{figure:,}", anchor="middle"))
        else:
            body.append(f'<rect x="{x + 4:.1f}" y="{bottom - 4}" width="{step - 8:.1f}" height="4" '
                        'class="pm-chart__muted-bar"/>')
        short = str(name).split(" ")
        body.append(_text(x + step / 2, bottom + 16, short[0][:3], anchor="middle"))
        if len(short) > 1 and (index == 0 or short[0].startswith("January")):
            body.append(_text(x + step / 2, bottom + 32, short[1], anchor="middle"))
    return _svg(table.key + "-chart", title, width, height, "".join(body))


GAP_CLASSES = {"no advocate": "pm-gap--none", "demand outruns advocates": "pm-gap--short",
               "enough advocates": "pm-gap--enough", "no open or recent requests": "pm-gap--quiet"}


def heat_map(table: reports.Table, title: str) -> Markup:
    """Council areas down, issues across; each cell coloured by how demand stands against advocates."""
    areas = list(dict.fromkeys(table.column("Council area")))
    issues = list(dict.fromkeys(table.column("Issue")))
    cells = {(row[0], row[1]): row for row in table.rows}
    cell, left, top = 30, 170, 190
    width, height = left + cell * len(issues) + 150, top + cell * len(areas) + 10  # room for the last names
    body = []
    for column, issue in enumerate(issues):
        x = left + column * cell + cell / 2
        body.append(_text(x, top - 8, _shorten(issue, 30), extra=f' transform="rotate(-60 {x:.1f} {top - 8})"'))
    for line, area in enumerate(areas):
        y = top + line * cell
        body.append(_text(left - 8, y + cell / 2 + 5, _shorten(area, 24), anchor="end"))
        for column, issue in enumerate(issues):
            _, _, asked, _, _, state = cells[(area, issue)]
            x = left + column * cell
            body.append(f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" '
                        f'class="pm-gap {GAP_CLASSES[state]}"><title>{escape(area)}, {escape(issue)}: '
                        f'{escape(state)}</title></rect>')
            if asked is reports.SUPPRESSED:
                mark = "<5"
            else:
                mark = "" if asked == 0 else str(asked)
            if mark:
                body.append(_text(x + (cell - 2) / 2, y + cell / 2 + 3, mark, anchor="middle",
                                  classes="pm-chart__small"))
    return _svg(table.key + "-chart", title, width, height, "".join(body), classes="pm-chart--heat")


def gap_legend() -> Sequence[tuple[str, str]]:
    return [(GAP_CLASSES[state], state[0].upper() + state[1:]) for state in reports.GAPS]


def register(app: Any) -> None:
    app.jinja_env.globals.update(report_bar_chart=bar_chart, report_column_chart=column_chart,
                                 report_heat_map=heat_map, report_rows=table_rows, report_cell=cell_text,
                                 report_gap_legend=gap_legend, report_suppressed=reports.SUPPRESSED)
