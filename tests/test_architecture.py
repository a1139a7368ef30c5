"""The shape of the code, held in place: one writer per status, thin views, one list of audit actions.

These read the source, so a new module that writes a request's status by itself, a view
that queries or commits, or a status set written out again fails here with its place.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import peermatch
from peermatch.models import AuditAction, MatchStatus, OfferStatus, RequestStatus
from peermatch.services import audit

PACKAGE = Path(peermatch.__file__).parent


def sources(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (PACKAGE / folder).rglob("*.py"))


def relative(path: Path) -> str:
    return str(path.relative_to(PACKAGE))


def calls(tree: ast.AST) -> list[ast.Call]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)]


def name_of(node: ast.AST) -> str:
    """``sa.update`` / ``db.session.commit`` as a dotted name (best effort)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{name_of(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        return name_of(node.func)
    return ""


# -- one writer per status and counter --------------------------------------------------------------

OWNERS = {
    "SupportRequest": "services/requests.py",
    "Offer": "services/offers.py",
    "Match": "services/matches.py",
    "VolunteerProfile": "services/advocates.py",
    "Notification": "services/notifications.py",
}
COUNTER_OWNER = "services/matches.py"


def status_writes(path: Path) -> list[tuple[str, int]]:
    """(model, line) of every UPDATE of a model's status, and every ``….status = …`` assignment."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for call in calls(tree):
        # sa.update(Model)....values(status=...)
        if isinstance(call.func, ast.Attribute) and call.func.attr == "values":
            if any(k.arg == "status" for k in call.keywords):
                chain = call.func.value
                while isinstance(chain, (ast.Call, ast.Attribute)):
                    if isinstance(chain, ast.Call) and name_of(chain.func) in ("sa.update", "update"):
                        found.append((name_of(chain.args[0]), call.lineno))
                        break
                    chain = chain.func if isinstance(chain, ast.Call) else chain.value
        # Model(..., status=...) other than the first status it is born with, in its owner
        if isinstance(call.func, ast.Name) and call.func.id in OWNERS and any(k.arg == "status" for k in call.keywords):
            found.append((call.func.id, call.lineno))
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr == "status":
                    found.append(("?", node.lineno))
    return found


def test_each_life_cycle_has_one_module_that_writes_its_status() -> None:
    offenders = []
    for path in sources("services", "reads", "web"):
        for model, line in status_writes(path):
            owner = OWNERS.get(model)
            if model == "?" and relative(path) == "services/advocates.py":
                continue  # a volunteer's and their vetting's statuses belong to advocates
            if owner != relative(path):
                offenders.append(f"{relative(path)}:{line} writes the status of {model}")
    assert offenders == []


def test_only_matches_change_the_places_an_advocate_has_taken() -> None:
    offenders = []
    for path in sources("services", "reads", "web"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"active_match_count\s*(=|\+=|-=)(?!=)", line) and relative(path) != COUNTER_OWNER:
                offenders.append(f"{relative(path)}:{number}")
    assert offenders == []


def test_status_sets_are_defined_once() -> None:
    """No tuple, list or set of two or more statuses outside the enums and the request's transition table."""
    pattern = re.compile(r"[\(\[\{]\s*(Request|Offer|Match)Status\.\w+\s*,\s*(Request|Offer|Match)Status\.")
    allowed = {"models/enums.py", "services/demo.py"}  # the demo draws statuses at random with weights
    offenders = []
    for path in sources("services", "reads", "web"):
        if relative(path) in allowed:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{relative(path)}:{number}: {line.strip()}")
    assert offenders == []


# -- the web layer is thin ---------------------------------------------------------------------------

def test_views_never_commit_or_query() -> None:
    offenders = []
    for path in sources("web"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):  # imports for type hints only (under TYPE_CHECKING) are fine
            if isinstance(node, ast.If) and name_of(node.test) == "TYPE_CHECKING":
                node.body = []
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
                if (module or "").split(".")[0] == "sqlalchemy":
                    offenders.append(f"{relative(path)}:{node.lineno} imports SQLAlchemy")
        for call in calls(tree):
            called = name_of(call.func)
            if called.startswith("db.session.") and called.split(".")[-1] in (
                    "commit", "execute", "scalar", "scalars", "get", "query", "add", "delete", "flush"):
                offenders.append(f"{relative(path)}:{call.lineno} calls {called}")
    assert offenders == []


def test_the_web_layer_does_not_reach_into_the_matching_engine() -> None:
    offenders = []
    for path in sources("web"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("peermatch.matching"):
                offenders.append(f"{relative(path)}:{node.lineno}")
            if isinstance(node, ast.Import) and any(a.name.startswith("peermatch.matching") for a in node.names):
                offenders.append(f"{relative(path)}:{node.lineno}")
    assert offenders == []


def test_command_line_commands_live_with_the_other_commands() -> None:
    offenders = [relative(path) for path in sources("web", "services", "reads")
                 if re.search(r"@click\.(command|group)|\.cli\.add_command", path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_domain_functions_never_commit() -> None:
    offenders = []
    for path in sources("services", "reads"):
        for call in calls(ast.parse(path.read_text(encoding="utf-8"))):
            if name_of(call.func).endswith(".commit"):
                offenders.append(f"{relative(path)}:{call.lineno}")
    assert offenders == []


def test_one_clock() -> None:
    """Nothing but ``peermatch.clock`` asks the system for the time or the date."""
    pattern = re.compile(r"datetime\.now\(|date\.today\(|datetime\.utcnow\(|time\.time\(")
    offenders = [f"{relative(path)}:{number}" for path in sources(".") if relative(path) != "clock.py"
                 and not relative(path).startswith("matching/")
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if pattern.search(line)]
    assert offenders == []


# -- one list of audit actions ------------------------------------------------------------------------

def test_every_status_a_request_offer_or_match_can_reach_has_its_audit_action() -> None:
    for status in set(RequestStatus) - {RequestStatus.DRAFT}:
        assert AuditAction(f"request.{status}")
    for status in OfferStatus:
        assert AuditAction(f"offer.{status}")
    for status in MatchStatus:
        assert AuditAction(f"match.{status}")


def test_the_audit_log_takes_only_actions_from_the_list(session: object) -> None:
    with pytest.raises(TypeError, match="Audit actions come from AuditAction"):
        audit.record(session, None, "something.made_up", "user")  # type: ignore[arg-type]


def test_audit_actions_are_written_as_members_of_the_list_everywhere() -> None:
    offenders = []
    for path in sources("services", "reads", "web"):
        for call in calls(ast.parse(path.read_text(encoding="utf-8"))):
            if name_of(call.func) in ("audit.record", "record") and len(call.args) >= 3 \
                    and isinstance(call.args[2], ast.Constant):
                offenders.append(f"{relative(path)}:{call.lineno}")
    assert offenders == []
