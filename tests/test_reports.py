"""Reports: an organiser and the admin see where parents wait longest and why, with small counts hidden, and
download any table (counts only, after a recent sign-in, recorded in the audit log)."""

from __future__ import annotations

import csv
import re
import io
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa
import time_machine

from peermatch.models import AuditAction, AuditEvent, RequestLanguage, Role, SupportRequest
from peermatch.reads import reports
from peermatch.reads.reports import SUPPRESSED
from peermatch.services import matches, offers
from support import error_messages

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=timezone.utc)
START = NOW - timedelta(days=30)


@pytest.fixture()
def volunteering(session: Any, people: Any) -> Any:
    from volunteers.conftest import Volunteering

    return Volunteering(session, people)


class Network:
    """One organisation whose Polish-speaking parents wait five days for an offer, the rest one day."""

    def __init__(self, session: Any, people: Any, volunteering: Any) -> None:
        self.session, self.people, self.volunteering = session, people, volunteering
        self.organisation = people.organisation("Cumbria Parents Together", county="Cumbria")
        self.advocates = [volunteering.advocate(capacity=3, organisation=self.organisation, name=f"Advocate{n}",
                                                email=f"advocate{n}@example.org") for n in range(6)]
        self.organiser = people.user(Role.ORGANISER, self.organisation)
        self.english = [self.matched(i, "en", offered_after=timedelta(days=1)) for i in range(10)]
        self.polish = [self.matched(10 + i, "pl", offered_after=timedelta(days=5)) for i in range(6)]
        self.welsh = self.request(16, "cy")  # one parent: every figure about them is hidden
        session.flush()

    def request(self, i: int, language: str) -> SupportRequest:
        request = self.volunteering.request(organisation=self.organisation, name=f"Secretname{i}",
                                            email=f"secret{i}@example.net")
        request.interpreter_ok = True
        request.language_rows = [RequestLanguage(language=language)]
        request.submitted_dt = START + timedelta(hours=i)
        request.opened_dt = request.submitted_dt + timedelta(minutes=30)
        return request

    def matched(self, i: int, language: str, offered_after: timedelta) -> SupportRequest:
        request = self.request(i, language)
        user, profile = self.advocates[i % len(self.advocates)]
        sent = request.submitted_dt + offered_after
        offer = offers.propose(self.session, request, profile, self.organiser, sent, score=0.8)
        offers.approve(self.session, offer, self.organiser, sent)
        offers.send(self.session, offer, self.organiser, sent)
        match = offers.accept(self.session, offer, user, sent + timedelta(hours=2))
        matches.introduce(self.session, match, self.organiser, sent + timedelta(hours=3))
        return request


@pytest.fixture()
def network(session: Any, people: Any, volunteering: Any) -> Network:
    return Network(session, people, volunteering)


def row(table: reports.Table, name: str) -> dict[str, Any]:
    [found] = [r for r in table.rows if r[0] == name]
    return dict(zip([c.name for c in table.columns], found))


def our_report(session: Any, network: Network) -> reports.Report:
    scope = reports.Scope(network.organisation.id, date(2025, 3, 11), date(2026, 3, 10))
    return reports.report(session, scope, NOW, 365)


# -- what the figures say -------------------------------------------------------------------------------------

def test_time_to_match_gives_the_median_and_90th_percentile_of_each_step(session: Any, network: Network) -> None:
    report = our_report(session, network)
    everything = row(report.table("time-to-match-all"), "All requests sent in the period")
    assert everything["Requests"] == 17
    # Ten offered after 1 day, six after 5: the median is 1 day, the 90th percentile 5.
    assert everything["Median days to first offer"] == 1.0
    assert everything["90th percentile days to first offer"] == 5.0
    assert everything["Median days to accepted offer"] == round(26 / 24, 1)
    assert everything["Median days to introduction"] == round(27 / 24, 1)
    polish = row(report.table("time-to-match-by-language"), "Polish")
    assert (polish["Requests"], polish["Median days to first offer"]) == (6, 5.0)


def test_a_group_that_waits_markedly_longer_is_said_in_a_plain_sentence(session: Any, network: Network) -> None:
    report = our_report(session, network)
    sentences = [finding.sentence for finding in report.findings]
    assert ("Requests in Polish waited markedly longer: a median of 5.1 days to an accepted offer, against "
            "26 hours for everyone else (6 and 10 requests matched).") in sentences
    assert not any("English" in s for s in sentences)
    fair = row(report.table("fairness-by-language"), "Polish")
    assert (fair["Requests"], fair["Matched"], fair["Match rate"]) == (6, 6, 100.0)


def test_counts_under_five_are_hidden_everywhere(session: Any, network: Network) -> None:
    report = our_report(session, network)
    welsh = row(report.table("time-to-match-by-language"), "Welsh")
    assert set(list(welsh.values())[1:]) == {reports.SUPPRESSED}  # one parent: nothing about them shows
    assert row(report.table("fairness-by-language"), "Welsh")["Requests"] is reports.SUPPRESSED
    assert row(report.table("coverage-by-language"), "Welsh")["Requests in the period"] is reports.SUPPRESSED
    # and no table holds a count from 1 to 4 anywhere
    for table in report.tables.values():
        for values in table.rows:
            for value, column in zip(values, table.columns):
                if column.kind == "count" and isinstance(value, int):
                    assert value == 0 or value >= 5, (table.key, values)
    assert reports.share(3, 40) is reports.SUPPRESSED and reports.share(5, 4) is reports.SUPPRESSED
    assert reports.median([1.0, 2.0, 3.0, 4.0]) is reports.SUPPRESSED and reports.median([1, 2, 3, 4, 5]) == 3.0


def test_coverage_shows_where_demand_outruns_the_advocates(session: Any, network: Network) -> None:
    report = our_report(session, network)
    polish = row(report.table("coverage-by-language"), "Polish")
    assert (polish["Open or recent requests"], polish["Advocates"], polish["Coverage"]) == (6, 0, "no advocate")
    english = row(report.table("coverage-by-language"), "English")
    # Ten asked in the last month; of six advocates, four have every place taken.
    assert (english["Requests in the period"], english["Open or recent requests"], english["Advocates"],
            english["With a free place"], english["Coverage"]) == (10, 10, 6, SUPPRESSED, "demand outruns advocates")
    cell = [r for r in report.table("coverage-area-issue").rows if r[:2] == ("Cumbria", "Child protection conference")]
    assert cell == [("Cumbria", "Child protection conference", 17, 6, SUPPRESSED, "demand outruns advocates")]


def test_coverage_weighs_what_is_asked_now_not_a_years_requests(session: Any, network: Network) -> None:
    """A month later only the Welsh parent still waits: English is no longer said to be short, nor is Cumbria."""
    later = reports.report(session, reports.Scope(network.organisation.id, date(2025, 4, 11), date(2026, 4, 10)),
                           NOW + timedelta(days=31), 365)
    english = row(later.table("coverage-by-language"), "English")
    assert (english["Requests in the period"], english["Open or recent requests"], english["Coverage"]) == \
        (10, 0, "no open or recent requests")
    cumbria = row(later.table("coverage-by-area"), "Cumbria")
    assert (cumbria["Requests in the period"], cumbria["Open or recent requests"], cumbria["Coverage"]) == \
        (17, SUPPRESSED, "enough advocates")
    assert reports.gap(0, 0) == "no open or recent requests" and reports.gap(3, 5) == "enough advocates"


def test_offers_load_hours_and_outcomes_are_counted(session: Any, network: Network) -> None:
    report = our_report(session, network)
    assert row(report.table("offers"), "Sent")["Number"] == 16
    assert row(report.table("offers"), "Accepted")["Number"] == 16
    load = dict(zip([c.name for c in report.table("load").columns], report.table("load").rows[0]))
    assert (load["Advocates who could be offered"], load["Places they offer"], load["Places taken by a match"]) == \
        (6, 18, 16)


def test_another_organisations_report_holds_none_of_these_requests(session: Any, people: Any,
                                                                 network: Network) -> None:
    other = people.organisation("Kent Parents", county="Kent")
    scope = reports.Scope(other.id, date(2025, 3, 11), date(2026, 3, 10))
    assert reports.report(session, scope, NOW, 365).requests_sent == 0


# -- the pages ---------------------------------------------------------------------------------------------------

def test_an_organiser_sees_the_reports_with_charts_beside_their_tables(sign_in_as: Any, network: Network) -> None:
    with time_machine.travel(NOW, tick=False):
        browser, _ = sign_in_as(Role.ORGANISER, network.organiser)
        page = browser.get("/organiser/reports")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
    assert "Requests in Polish waited markedly longer" in html
    assert html.count('role="img"') >= 8 and "<script" not in html.split("<main")[1].split("</main>")[0]
    assert "Secretname" not in html and "secret0@example.net" not in html  # counts, never people
    for title in ("Coverage by council area", "Coverage by language", "Coverage by council area and issue",
                  "Time to match by council area", "Fairness by language", "Offers sent and what became of them",
                  "Why advocates declined", "Hours advocates gave", "How support ended", "Feedback from both sides",
                  "Requests sent each month"):
        assert f">{title}</caption>" in html, title
        assert f"Download ‘{title}’ as a spreadsheet (CSV)" in html


def test_a_period_that_makes_no_sense_gets_a_clear_message(sign_in_as: Any, network: Network) -> None:
    with time_machine.travel(NOW, tick=False):
        browser, _ = sign_in_as(Role.ORGANISER, network.organiser)
        backwards = browser.get("/organiser/reports?since=10&since=3&since=2026&until=1&until=3&until=2026")
        assert error_messages(backwards) == ["The last day must be the same as or after the first day"]
        future = browser.get("/organiser/reports?until=1&until=1&until=2027")
        assert error_messages(future) == ["The last day must be today or in the past"]
        month = browser.get("/organiser/reports?since=1&since=3&since=2026&until=10&until=3&until=2026")
        assert "1 March 2026 to 10 March 2026" in month.get_data(as_text=True)


def test_a_download_needs_a_recent_sign_in_holds_counts_only_and_is_audited(sign_in_as: Any, session: Any,
                                                                          network: Network) -> None:
    address = "/organiser/reports/fairness-by-language.csv?since=11&since=3&since=2025&until=10&until=3&until=2026"
    with time_machine.travel(NOW, tick=False) as traveller:
        browser, organiser = sign_in_as(Role.ORGANISER, network.organiser)
        traveller.shift(timedelta(minutes=20))
        stale = browser.get(address)
        assert stale.status_code == 302 and "/confirm-it-is-you" in stale.headers["Location"]
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == AuditAction.REPORT_DOWNLOADED)) == 0
        traveller.shift(timedelta(minutes=-20))
        response = browser.get(address)
        assert browser.get("/organiser/reports/no-such-table.csv").status_code == 404
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="peermatch-fairness-by-language-2025-03-11-to-2026-03-10.csv"' in \
        response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Language", "Requests", "Matched", "Match rate", "Median days to accepted offer",
                       "90th percentile days"]
    assert ["Polish", "6", "6", "100.0", "5.1", "5.1"] in rows
    assert ["Welsh", "<5", "0", "<5", "<5", "<5"] in rows
    [event] = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == AuditAction.REPORT_DOWNLOADED))
    assert (event.actor_id, event.subject_id, event.organisation_id) == \
        (organiser.id, "fairness-by-language", network.organisation.id)
    assert event.details == {"start": "2025-03-11", "end": "2026-03-10"}


def test_a_spreadsheet_never_reads_a_name_as_a_formula() -> None:
    from peermatch.web.reports import csv_text

    table = reports.Table("t", "T", (reports.Column("Area"), reports.Column("Requests", "count")),
                          [("=HYPERLINK(\"x\")", 7), ("Leeds", reports.SUPPRESSED)])
    assert csv_text(table) == "Area,Requests\r\n\"'=HYPERLINK(\"\"x\"\")\",7\r\nLeeds,<5\r\n"


def test_the_admin_sees_each_organisation_side_by_side_and_can_pick_one(sign_in_as: Any, people: Any,
                                                                      network: Network) -> None:
    people.organisation("Kent Parents", county="Kent")
    with time_machine.travel(NOW, tick=False):
        browser, _ = sign_in_as(Role.ADMIN)
        html = browser.get("/admin/reports").get_data(as_text=True)
        assert ">Each organisation side by side</caption>" in html
        assert "Cumbria Parents Together" in html and "Kent Parents" in html
        one = browser.get(f"/admin/reports?organisation={network.organisation.id}").get_data(as_text=True)
        assert "Each organisation side by side" not in one and "Requests in Polish waited markedly longer" in one
        download = browser.get("/admin/reports/organisations.csv")
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True))))
    ours = next(r for r in rows if r[0] == "Cumbria Parents Together")
    assert ours[1] == "17" and next(r for r in rows if r[0] == "Kent Parents")[1] == "0"


def test_every_table_on_the_page_downloads_with_the_same_figures(session: Any, people: Any,
                                                                 network: Network) -> None:
    admin = people.user(Role.ADMIN)
    scope = reports.Scope(None, date(2025, 3, 11), date(2026, 3, 10))
    names = reports.organisation_names(session)
    page = reports.report(session, scope, NOW, 365, names)
    assert len(page.tables) == 20
    for key, table in page.tables.items():
        assert reports.download(session, admin, scope, key, NOW, 365, names) == table, key
    assert reports.download(session, admin, scope, "no-such-table", NOW, 365, names) is None


def test_the_date_boxes_show_the_period_the_page_shows(sign_in_as: Any, network: Network) -> None:
    with time_machine.travel(NOW, tick=False):
        browser, _ = sign_in_as(Role.ORGANISER, network.organiser)
        html = browser.get("/organiser/reports").get_data(as_text=True)
        assert "11 March 2025 to 10 March 2026" in html
        assert re.search(r'name="since"[^>]*value="11"', html), "the first day's box is empty"
        assert re.search(r'name="until"[^>]*value="2026"', html), "the last day's year box is empty"
        only_to = browser.get("/organiser/reports?until=1&until=1&until=2026").get_data(as_text=True)
        assert "2 January 2025 to 1 January 2026" in only_to


def test_an_organiser_only_ever_sees_their_own_organisations_figures(sign_in_as: Any, people: Any,
                                                                    network: Network) -> None:
    kent = people.organisation("Kent Parents", county="Kent")
    with time_machine.travel(NOW, tick=False):
        browser, _ = sign_in_as(Role.ORGANISER, people.user(Role.ORGANISER, kent))
        # Asking for another organisation, as the admin may, changes nothing for an organiser.
        html = browser.get(f"/organiser/reports?organisation={network.organisation.id}").get_data(as_text=True)
        download = browser.get(f"/organiser/reports/time-to-match-all.csv?organisation={network.organisation.id}")
    assert ": 0 requests sent." in " ".join(html.split()) and "Polish" not in html
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True))))
    assert rows[1][:2] == ["All requests sent in the period", "0"]
