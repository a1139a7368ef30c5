"""Checks any page of any role can be put through: every question and control is named, one heading, no stray tags.

``page_problems(html)`` parses a page with the standard library's ``html.parser`` and lists,
in plain words, what a screen-reader user or a sighted user would stumble on:

- a form control (input, select, textarea, button) with no accessible name (from
  ``aria-labelledby``, ``aria-label``, a ``<label for>``, a wrapping ``<label>``, its own
  text for a button, ``value`` for an input button, or ``title``);
- a fieldset without a first-child ``<legend>`` whose text is non-empty and not hidden
  (``govuk-visually-hidden``): the question of a group of radios, checkboxes or date boxes;
- not exactly one ``<h1>``, or a ``<title>`` that does not begin with it (after "Error: ");
- a literal HTML tag in the text a person reads or hears (``<br>`` escaped into the page).

``check_page(html, where)`` asserts there are none. Kept free of the app so any role's
tests can use it: ``check_page(client.get(url).get_data(as_text=True), url)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
CONTROLS = {"input", "select", "textarea", "button"}
UNREAD = {"script", "style", "template", "textarea", "noscript"}  # text there is not read as page text
LITERAL_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(\s[^<>]*)?/?>")


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node | str] = field(default_factory=list)

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        """All text inside, visually hidden text included (a screen reader reads it), spaces collapsed."""
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return re.sub(r"\s+", " ", " ".join(parts)).strip()

    def shown_text(self) -> str:
        """The text a sighted person sees: without ``govuk-visually-hidden`` parts or ``hidden`` elements."""
        parts = [c if isinstance(c, str) else ("" if c.hidden() else c.shown_text()) for c in self.children]
        return re.sub(r"\s+", " ", " ".join(parts)).strip()

    def hidden(self) -> bool:
        return "hidden" in self.attrs or "govuk-visually-hidden" in self.classes()

    def ancestors(self) -> list[Node]:
        found, node = [], self.parent
        while node is not None:
            found.append(node)
            node = node.parent
        return found

    def walk(self) -> list[Node]:
        found: list[Node] = []
        for child in self.children:
            if isinstance(child, Node):
                found.append(child)
                found.extend(child.walk())
        return found


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: (v if v is not None else "") for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Node(tag, {k: (v if v is not None else "") for k, v in attrs}, self.current))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        node: Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:  # an end tag with no start is ignored
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(html: str) -> Node:
    """The page as a tree of ``Node``s and text."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def accessible_name(control: Node, by_id: dict[str, Node], labels_for: dict[str, list[Node]]) -> str:
    """The name assistive technology announces for a form control (the parts of the accessible-name
    computation our pages use)."""
    if control.attrs.get("aria-labelledby"):
        named = " ".join(by_id[i].text() for i in control.attrs["aria-labelledby"].split() if i in by_id)
        if named.strip():
            return named.strip()
    if control.attrs.get("aria-label", "").strip():
        return control.attrs["aria-label"].strip()
    if control.tag == "input" and control.attrs.get("type") in {"submit", "button", "reset"}:
        return control.attrs.get("value", "").strip() or ("Submit" if control.attrs.get("type") == "submit" else "")
    if control.tag == "input" and control.attrs.get("type") == "image":
        return control.attrs.get("alt", "").strip()
    names = [label.text() for label in labels_for.get(control.attrs.get("id", ""), [])]
    names += [a.text() for a in control.ancestors() if a.tag == "label"]
    if control.tag == "button":
        names.append(control.text())
    name = " ".join(n for n in names if n).strip()
    return name or control.attrs.get("title", "").strip()


def page_problems(html: str) -> list[str]:
    """Everything on the page that breaks the checks above, in words (empty when the page is sound)."""
    root = parse(html)
    nodes = root.walk()
    by_id = {n.attrs["id"]: n for n in nodes if "id" in n.attrs}
    labels_for: dict[str, list[Node]] = {}
    for node in nodes:
        if node.tag == "label" and node.attrs.get("for"):
            labels_for.setdefault(node.attrs["for"], []).append(node)
    problems: list[str] = []

    for control in (n for n in nodes if n.tag in CONTROLS):
        if control.tag == "input" and control.attrs.get("type") == "hidden":
            continue
        if not accessible_name(control, by_id, labels_for):
            problems.append(f"a <{control.tag}> named {control.attrs.get('name')!r} "
                            f"(id {control.attrs.get('id')!r}) has no accessible name")

    for fieldset in (n for n in nodes if n.tag == "fieldset"):
        first = next((c for c in fieldset.children if isinstance(c, Node)), None)
        inside = fieldset.text()[:80]
        if first is None or first.tag != "legend":
            problems.append(f"a fieldset has no legend as its first element: {inside!r}")
        elif not first.text():
            problems.append(f"a fieldset's legend is empty: {inside!r}")
        elif first.hidden() or not first.shown_text():
            problems.append(f"a fieldset's legend {first.text()!r} is hidden from sighted users")

    headings = [n.text() for n in nodes if n.tag == "h1"]
    if len(headings) != 1:
        problems.append(f"the page has {len(headings)} <h1> headings, not one: {headings!r}")
    # The document's title: an SVG chart's <title> names the chart, not the page.
    titles = [n.text() for n in nodes if n.tag == "title" and not any(a.tag == "svg" for a in n.ancestors())]
    if len(titles) != 1 or not titles[0]:
        problems.append(f"the page has no single, non-empty <title>: {titles!r}")
    elif headings and not titles[0].removeprefix("Error: ").startswith(headings[0]):
        problems.append(f"the title {titles[0]!r} does not begin with the heading {headings[0]!r}")

    for text in _read_text(root):
        found = LITERAL_TAG.search(text)
        if found:
            problems.append(f"a literal HTML tag {found.group(0)!r} shows in the text: {text.strip()[:100]!r}")
    return problems


def _read_text(node: Node) -> list[str]:
    """Every piece of text on the page a person sees or hears (not scripts, styles or a textarea's value)."""
    found: list[str] = []
    for child in node.children:
        if isinstance(child, str):
            found.append(child)
        elif child.tag not in UNREAD and child.tag != "head":
            found.extend(_read_text(child))
    return found


def check_page(html: str, where: str) -> None:
    """Fail, listing every problem, unless the page passes ``page_problems``."""
    problems = page_problems(html)
    assert not problems, f"{where}:\n  " + "\n  ".join(problems)
