"""The IATI codelists the export writes and the import reads, vendored as JSON (codelists/, refreshed by
scripts/refresh-iati-codelists from IATI's own repositories; CC BY 4.0, IATI).

`codes(name)` is the set of codes IATI has not withdrawn; the ruleset checks (rules.py) accept only those.
"""

import json
from functools import cache
from pathlib import Path

DIRECTORY = Path(__file__).with_name("codelists")


@cache
def _table(name: str) -> dict[str, dict[str, object]]:
    data = json.loads((DIRECTORY / f"{name}.json").read_text(encoding="utf-8"))
    return data["codes"]


def codes(name: str) -> frozenset[str]:
    """The active codes of an IATI codelist ("Sector", "Currency"...).

    Raises: FileNotFoundError for a codelist that is not vendored.
    """
    return frozenset(code for code, item in _table(name).items() if not item["withdrawn"])


def code_name(name: str, code: str) -> str:
    """The English name IATI gives a code, or "" when the codelist does not hold it.

    Raises: FileNotFoundError for a codelist that is not vendored.
    """
    item = _table(name).get(code)
    return str(item["name"]) if item else ""
