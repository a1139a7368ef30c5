"""The matching engine stays pure: it can be tested, benchmarked and reused without the web app."""

import ast
from pathlib import Path

import peermatch.matching

ALLOWED_TOP_LEVEL = {
    "__future__", "collections", "csv", "dataclasses", "datetime", "functools", "math", "pathlib", "random", "typing",
    "numpy", "scipy", "sklearn", "threadpoolctl", "ortools",
}  # fmt: skip


def imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield "." * node.level + (node.module or "")


def test_matching_imports_only_the_standard_library_and_numeric_packages():
    package = Path(peermatch.matching.__file__).parent
    offenders = {}
    for path in sorted(package.glob("*.py")):
        for module in imported_modules(path):
            if module.startswith("."):
                if module.startswith(".."):
                    offenders.setdefault(path.name, []).append(module)
            elif module.split(".")[0] not in ALLOWED_TOP_LEVEL:
                offenders.setdefault(path.name, []).append(module)
    assert offenders == {}


def test_the_package_exports_what_it_documents():
    documented = peermatch.matching.__doc__
    for name in ("rank", "rank_reference", "propose_batch", "greedy_batch", "train", "default_model", "check_rules"):
        assert name in peermatch.matching.__all__
        assert name in documented
