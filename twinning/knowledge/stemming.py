"""Snowball stemming for the SQLite search (PostgreSQL stems with its own Snowball dictionaries).

FTS5's porter tokenizer stems English only, so a French "hôpitaux" never found "hôpital". Each search entry
keeps its words stemmed by the stemmer of its language (`stems_of`), and a query word is looked for under its
stem in each of those languages (`query_stems`), as PostgreSQL ORs the five configurations. The stemmer is
the `snowballstemmer` package: the same Snowball algorithms as PostgreSQL's, in pure Python (no compiler
needed on the default install), maintained by the Snowball project.
"""

import re
from functools import cache

import snowballstemmer

# English is stemmed by FTS5's porter tokenizer already.
STEMMED_LANGUAGES = {"fr": "french", "es": "spanish", "ru": "russian", "pt": "portuguese"}
_WORD = re.compile(r"\w+", re.UNICODE)


@cache
def _stemmer(language: str) -> "snowballstemmer.BaseStemmer":
    return snowballstemmer.stemmer(STEMMED_LANGUAGES[language])


def stems_of(text: str, language: str) -> str:
    """The words of `text` stemmed in `language` (an ISO 639-1 code), space-separated; "" for a language
    without a stemmer here (English included: porter handles it).

    Raises: nothing.
    """
    if language not in STEMMED_LANGUAGES:
        return ""
    words = [w.lower() for w in _WORD.findall(text or "")]
    return " ".join(_stemmer(language).stemWords(words))


def query_stems(word: str, language: str = "") -> list[str]:
    """The stems to look for a query word under: its stem in `language` when the search is narrowed to one,
    else in each stemmed language; distinct, in a stable order.

    Raises: nothing.
    """
    languages = [language] if language in STEMMED_LANGUAGES else list(STEMMED_LANGUAGES)
    word = word.lower()
    return list(dict.fromkeys(_stemmer(code).stemWord(word) for code in languages))
