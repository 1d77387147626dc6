"""Checks on the translation catalogues (twinning/locale/<language>/LC_MESSAGES/*.po), for the catalogue tests.

`catalogue_faults` reads one .po file and lists what keeps it from shipping: an entry not translated (or a plural
form left empty), a fuzzy entry or a fuzzy header (msgfmt leaves fuzzy entries out, so the page silently falls back
to English), an obsolete entry (`#~`, left behind by `make messages` when a string left the source), and a
translation whose placeholders differ from its source's: `%(name)s`, `%s`, `%d` and `{name}` (a missing or renamed
placeholder is an error or a wrong figure at run time). `source_msgids` extracts what the source asks to be
translated, with the same `makemessages` run as `make messages`, into a temporary copy (never into the real
catalogues); `currency_faults` compares the two, so a catalogue that lacks a new string or keeps a removed one
is caught too.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

# The same extraction as `make messages` (Makefile, MESSAGES_ARGS): tests and test helpers are not translated.
IGNORED = ["*/tests/*", "testing/*", "conftest.py", "settings_test.py"]
DOMAINS = ("django", "djangojs")

# %(name)s and %s / %d / %.1f (but not %%, which is a literal percent sign), and {name} / {0} / {}. No space
# among the flags: "50% of" is prose, not "% o".
PERCENT = re.compile(
    r"%(?:\((?P<name>[^)]+)\))?[#0+-]*(?:\d+|\*)?(?:\.\d+)?[hlL]?(?P<kind>[diouxXeEfFgGcrsa%])"
)
BRACE = re.compile(r"(?<!\{)\{(?P<name>[A-Za-z_][\w.]*|\d*)(?:![rsa])?(?::[^{}]*)?\}(?!\})")


@dataclass(frozen=True)
class Fault:
    """One thing wrong in a catalogue: `kind` is one of "untranslated", "fuzzy", "obsolete", "placeholders",
    "missing" (in the source, not in the catalogue) or "stale" (in the catalogue, no longer in the source)."""

    path: str
    kind: str
    msgid: str
    detail: str = ""

    def __str__(self) -> str:
        text = self.msgid if len(self.msgid) <= 70 else self.msgid[:70] + "…"
        return f"{self.path}: {self.kind}: {text!r}" + (f" ({self.detail})" if self.detail else "")


def placeholders(text: str, *, percent: bool = True) -> Counter[str]:
    """The placeholders in `text`, counted: "%(n)s of %(total)s" -> {"%(n)s": 1, "%(total)s": 1}; positional
    ones by their type ("%s", "%d"); brace ones as written ("{name}"). "%%" is a literal percent sign, not one.
    """
    found: Counter[str] = Counter()
    for match in PERCENT.finditer(text) if percent else ():
        if match.group("kind") == "%":
            continue
        name = match.group("name")
        found[f"%({name})" + match.group("kind") if name else "%" + match.group("kind")] += 1
    for match in BRACE.finditer(text):
        found["{" + match.group("name") + "}"] += 1
    return found


def _msgid(message: Message) -> str:
    return message.id[0] if isinstance(message.id, tuple | list) else str(message.id)


def _forms(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple | list) else [message.string or ""]


def _placeholder_fault(message: Message) -> str:
    """What differs between a translated entry's placeholders and its source's, or ""."""
    # An entry marked "no-python-format" is never %-formatted: its "%" signs are prose.
    percent = "no-python-format" not in message.flags
    if isinstance(message.id, tuple | list):
        # A plural form may follow the singular's or the plural's placeholders (Russian uses its "one" form
        # for 21 as well, so it must keep the number even where English's singular has none).
        allowed = [placeholders(message.id[0], percent=percent), placeholders(message.id[1], percent=percent)]
        for i, form in enumerate(_forms(message)):
            if form and placeholders(form, percent=percent) not in allowed:
                return f"form {i}: {dict(placeholders(form, percent=percent))} against {dict(allowed[1])}"
        return ""
    expected = placeholders(str(message.id), percent=percent)
    got = placeholders(message.string or "", percent=percent)
    return "" if expected == got else f"{dict(got)} against {dict(expected)}"


def read_catalogue(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, abort_invalid=True)


def catalogue_faults(path: Path, *, placeholders_only: bool = False) -> list[Fault]:
    """Every fault in the .po file at `path` (see Fault); with `placeholders_only`, only translated entries
    whose placeholders differ from the source's (what must hold even while a catalogue is being translated).

    Raises: OSError (no such file), babel's PoFileError (not a valid .po file).
    """
    catalogue = read_catalogue(path)
    name = str(path)
    faults = []
    if catalogue.fuzzy and not placeholders_only:
        faults.append(
            Fault(name, "fuzzy", "", "the header is marked fuzzy: remove '#, fuzzy' above msgid \"\"")
        )
    for message in catalogue:
        if not message.id:
            continue
        msgid, forms = _msgid(message), _forms(message)
        if not placeholders_only:
            if message.fuzzy:
                faults.append(Fault(name, "fuzzy", msgid))
            if not all(forms):
                faults.append(Fault(name, "untranslated", msgid))
        # A fuzzy entry is a suggestion msgfmt leaves out (reported above as fuzzy), not a translation.
        if any(forms) and not message.fuzzy and (problem := _placeholder_fault(message)):
            faults.append(Fault(name, "placeholders", msgid, problem))
    if not placeholders_only:
        faults.extend(Fault(name, "obsolete", _msgid(m)) for m in catalogue.obsolete.values())
    return faults


def catalogue_msgids(path: Path) -> set[tuple[str, str | None]]:
    """The (msgid, msgctxt) of every live (not obsolete) entry of a .po file."""
    return {(_msgid(m), m.context) for m in read_catalogue(path) if m.id}


def source_msgids(package: Path, language: str) -> dict[str, set[tuple[str, str | None]]]:
    """What the source under `package` (the `twinning` directory) asks to translate, per domain ("django",
    "djangojs"; a domain with no strings is absent): `makemessages` for `language` run on a temporary copy of
    the package, exactly as `make messages` runs it, so the real catalogues are never touched.

    Raises: subprocess.CalledProcessError (makemessages failed; its output is in the exception).
    """
    with tempfile.TemporaryDirectory() as temporary:
        copy = Path(temporary) / "twinning"
        shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "locale"))
        # Without settings, makemessages writes into ./locale of the copy (empty: only what the source has comes
        # out); with settings it would write into LOCALE_PATHS, the real catalogues.
        (copy / "locale").mkdir()
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        ignored = [arg for pattern in IGNORED for arg in ("--ignore", pattern)]
        for domain in DOMAINS:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "django",
                    "makemessages",
                    "-d",
                    domain,
                    "-l",
                    language,
                    "--no-location",
                    *ignored,
                ],
                cwd=copy,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
        found = {}
        for domain in DOMAINS:
            po = copy / "locale" / language / "LC_MESSAGES" / f"{domain}.po"
            if po.exists():
                found[domain] = catalogue_msgids(po)
        return found


def currency_faults(
    catalogue_dir: Path, language: str, source: dict[str, set[tuple[str, str | None]]]
) -> list[Fault]:
    """Entries `source` (from `source_msgids`) has and the language's catalogues lack ("missing"), and entries
    the catalogues have that the source no longer asks for ("stale"): run `make messages` to bring them in line.
    """
    faults: list[Fault] = []
    for domain in sorted(set(source) | {p.stem for p in catalogue_dir.glob(f"{language}/LC_MESSAGES/*.po")}):
        path = catalogue_dir / language / "LC_MESSAGES" / f"{domain}.po"
        have = catalogue_msgids(path) if path.exists() else set()
        wanted = source.get(domain, set())
        faults.extend(Fault(str(path), "missing", msgid) for msgid, _ctx in sorted(wanted - have, key=str))
        faults.extend(Fault(str(path), "stale", msgid) for msgid, _ctx in sorted(have - wanted, key=str))
    return faults


def compiled_faults(po_path: Path) -> list[Fault]:
    """A .po file whose compiled .mo beside it is missing or says something else ("not compiled"): pages would
    show what the .mo says. `make install-dev` (or `make install`) compiles every .po newer than its .mo."""
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        return [Fault(str(mo_path), "not compiled", "", "run make install-dev")]
    with mo_path.open("rb") as handle:
        compiled = read_mo(handle)

    def shipped(catalogue: Catalog) -> set[tuple[object, object, object]]:
        return {
            (_freeze(m.id), _freeze(m.string), m.context)
            for m in catalogue
            if m.id and not m.fuzzy and all(_forms(m))
        }

    differ = shipped(read_catalogue(po_path)) ^ shipped(compiled)
    return (
        [Fault(str(mo_path), "not compiled", str(next(iter(differ))[0]), "run make install-dev")]
        if differ
        else []
    )


def _freeze(value: object) -> object:
    return tuple(value) if isinstance(value, list | tuple) else value


def report(faults: Iterable[Fault], limit: int = 40) -> str:
    """The faults as lines for an assertion message (the first `limit`, then how many more)."""
    lines = [str(f) for f in faults]
    more = len(lines) - limit
    return "\n".join(lines[:limit] + ([f"... and {more} more"] if more > 0 else []))
