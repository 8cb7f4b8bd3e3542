"""The territory of use: where a customer may use what it buys, picked from one list.

It was free text on quotes, contracts and POs, so nothing could count it and anything reached a
customer's PO ("Mars colony"). Now it is one code from this list: an ISO 3166-1 alpha-2 country
("DE"), or one of a few named regions that contracts grant as a whole ("EU", "DACH",
"WORLD"), as Odoo's country groups do. One code a row, so ``GROUP BY territory`` counts them.

Names come from Babel in the locale asked for (the account's: what its documents print), and a
territory is found by its code, its English name or its name in that locale, whatever the case
and accents: "de", "germany" and "Deutschland" (de_DE) are all DE. Plain Python, no Textual.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from babel import Locale

from acctmgr.errors import InvalidInput
from acctmgr.services.kernel.locale_format import DEFAULT_LOCALE, usable_locale
from acctmgr.services.kernel.text import folded, natural_name, one_line

# Two-letter codes Babel names that ISO 3166-1 does not assign to a country: exceptionally
# reserved ones (Canary Islands, Ceuta, Diego Garcia...), groupings, pseudo and unknown regions.
NOT_COUNTRIES = frozenset(
    {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "XK", "ZZ"}
)
# fmt: off
EU_MEMBERS = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
})
# fmt: on
# Names people write that are neither a code nor Babel's name.
ALIASES = {
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "usa": "US",
    "united states of america": "US",
    "america": "US",
    "holland": "NL",
    "world": "WORLD",
    "global": "WORLD",
    "all countries": "WORLD",
}
# Between the countries of an old free-text list: "Germany, Austria and Switzerland".
LIST_SEPARATORS = re.compile(r"\s*(?:[,;/&+]|\band\b|\bund\b|\bet\b)\s*")
SHOWN_CHARACTERS = 40  # of a refused value, in the sentence that refuses it


@dataclass(frozen=True, slots=True)
class Region:
    """A named group of countries granted as one territory."""

    code: str
    name: str  # in English; a region Babel names (the EU) is named in the locale asked for
    members: frozenset[str]  # empty: every country
    babel_code: str | None = None
    spell_out: bool = False  # name the members after it: "DACH (Germany, Austria, Switzerland)"


REGIONS: dict[str, Region] = {
    region.code: region
    for region in (
        Region("WORLD", "Worldwide", frozenset()),
        Region("EU", "European Union", EU_MEMBERS, babel_code="EU"),
        Region("EEA", "European Economic Area", EU_MEMBERS | {"IS", "LI", "NO"}),
        Region("DACH", "DACH", frozenset({"DE", "AT", "CH"}), spell_out=True),
        Region("BENELUX", "Benelux", frozenset({"BE", "NL", "LU"}), spell_out=True),
        Region("NORDICS", "Nordics", frozenset({"DK", "FI", "IS", "NO", "SE"}), spell_out=True),
    )
}


@cache
def countries() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 country code. Read from Babel's data on first use, not on
    import: an account screen imports this module, and the data is 5 MB."""
    return frozenset(
        code
        for code in map(str, Locale.parse("en").territories)
        if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
    )


def is_territory(code: str) -> bool:
    """Whether ``code`` is one of the list: a country's ISO code or a region's."""
    return code in countries() or code in REGIONS


def name_of(code: str, locale: str = DEFAULT_LOCALE) -> str:
    """The territory's name in ``locale``: "Deutschland" for DE in de_DE; "" for none.

    A code not on the list (a row another program wrote) is shown as it is.
    """
    names = _territory_names(usable_locale(locale))
    region = REGIONS.get(code)
    if region is None:
        return names.get(code, one_line(code)) if code in countries() else one_line(code)
    name = names.get(region.babel_code or "", region.name)
    if region.spell_out:
        members = sorted((names.get(member, member) for member in region.members), key=folded)
        name = f"{name} ({', '.join(members)})"
    return name


def choices(locale: str = DEFAULT_LOCALE) -> list[tuple[str, str]]:
    """The list to pick from, (name, code): the regions first, then the countries by name."""
    regions = [(name_of(code, locale), code) for code in REGIONS]
    named = sorted(
        ((name_of(code, locale), code) for code in countries()),
        key=lambda row: natural_name(row[0]),
    )
    return regions + named


def match(typed: str, locale: str = DEFAULT_LOCALE) -> str | None:
    """The code ``typed`` names, by code, English name, name in ``locale`` or a usual alias,
    whatever its case and accents; None when it names none. An old free-text list of countries
    matches the region they make up ("Germany, Austria and Switzerland" is DACH)."""
    key = _key(typed)
    if not key:
        return None
    index = _index(usable_locale(locale))
    if key in index:
        return index[key]
    parts = [part for part in LIST_SEPARATORS.split(key) if part]
    codes = {index.get(part) for part in parts}
    if len(parts) < 2 or None in codes or not codes <= countries():
        return None
    return next((region.code for region in REGIONS.values() if region.members == codes), None)


def code_for(typed: str, locale: str = DEFAULT_LOCALE, *, field: str = "territory") -> str:
    """The code of the territory ``typed`` names ("" when blank: no territory yet).

    The rule: a territory of use is one from the list (``choices``), so that it can be counted
    and printed in the customer's language. Raises InvalidInput, naming ``field``, otherwise.
    """
    if not typed.strip():
        return ""
    code = match(typed, locale)
    if code is None:
        shown = one_line(typed.strip())[:SHOWN_CHARACTERS]
        raise InvalidInput(
            f"Pick the territory from the list; '{shown}' is not a country or region.",
            field=field,
        )
    return code


def completion(typed: str, locale: str = DEFAULT_LOCALE) -> str | None:
    """The first name on the list (in ``locale``, then in English) that starts as ``typed``
    does, accents and case aside; what a field offers to complete while someone types."""
    key = _key(typed)
    if not key:
        return None
    found = (
        name for name, name_key in _completions(usable_locale(locale)) if name_key.startswith(key)
    )
    return next(found, None)


def _key(text: str) -> str:
    # Babel writes "Côte d'Ivoire" with a typographic apostrophe (U+2019); keyboards type "'".
    return " ".join(folded(text.replace("\u2019", "'")).split())


@cache
def _territory_names(locale: str) -> dict[str, str]:
    return {str(code): str(name) for code, name in Locale.parse(locale).territories.items()}


@cache
def _index(locale: str) -> dict[str, str]:
    """Every way of writing a territory, as ``_key`` folds it, to its code."""
    index: dict[str, str] = {}
    for name_locale in dict.fromkeys((locale, "en")):
        names = _territory_names(name_locale)
        for code in countries():
            index.setdefault(_key(names.get(code, code)), code)
        for region in REGIONS.values():
            index.setdefault(_key(name_of(region.code, name_locale)), region.code)
            index.setdefault(_key(names.get(region.babel_code or "", region.name)), region.code)
    for region in REGIONS.values():
        index.setdefault(_key(region.name), region.code)
    for alias, code in ALIASES.items():
        index.setdefault(alias, code)
    # Codes last and over names: "de" is Germany, whatever a name that folds to it.
    index.update({code.lower(): code for code in countries() | REGIONS.keys()})
    return index


@cache
def _completions(locale: str) -> list[tuple[str, str]]:
    """The names to complete from, in the order offered, each with its key."""
    names = [name for name, _ in choices(locale)]
    if locale != "en":
        names += [name for name, _ in choices("en") if name not in names]
    return [(name, _key(name)) for name in names]
