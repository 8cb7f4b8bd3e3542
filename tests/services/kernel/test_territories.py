"""The list of territories of use: codes, names in a locale, what is typed, what completes."""

from __future__ import annotations

import pytest

from acctmgr.errors import InvalidInput
from acctmgr.services.kernel import territories


def test_the_countries_are_iso_3166_and_nothing_else() -> None:
    """The list holds the 249 countries ISO 3166-1 assigns a code, and no grouping or pseudo
    region Babel also names (the EU is a region of ours, not a country)."""
    assert len(territories.countries()) == 249
    assert {"DE", "US", "GB", "AX", "CI"} <= territories.countries()
    assert not {"EU", "UN", "ZZ", "XK", "IC"} & territories.countries()


@pytest.mark.parametrize(
    ("typed", "locale", "code"),
    [
        ("germany", "en_US", "DE"),
        ("de", "en_US", "DE"),
        ("  DE ", "fr_FR", "DE"),
        ("Deutschland", "de_DE", "DE"),
        ("deutschland", "de_DE", "DE"),
        ("Germany", "de_DE", "DE"),  # English is understood in every locale
        ("osterreich", "de_DE", "AT"),
        ("Allemagne", "fr_FR", "DE"),
        ("cote d'ivoire", "en_US", "CI"),  # Babel writes a typographic apostrophe
        ("UK", "en_US", "GB"),
        ("worldwide", "en_US", "WORLD"),
        ("Europäische Union", "de_DE", "EU"),
        ("eea", "en_US", "EEA"),
        ("Germany, Austria and Switzerland", "en_US", "DACH"),
        ("DACH (Deutschland, Österreich, Schweiz)", "de_DE", "DACH"),
    ],
)
def test_a_territory_is_found_by_code_or_name_whatever_its_case_and_accents(
    typed: str, locale: str, code: str
) -> None:
    """A code, an English name or the locale's name, in any case and with or without accents,
    finds the one territory it names."""
    assert territories.code_for(typed, locale) == code


@pytest.mark.parametrize(
    "typed", ["Mars 🚀 [blink]colony[/]", "US East", "Germany and France", "Deutschland x"]
)
def test_anything_not_on_the_list_is_refused_in_one_sentence(typed: str) -> None:
    """What names no country or region is refused beside the territory field, quoting it."""
    with pytest.raises(InvalidInput) as refused:
        territories.code_for(typed, "en_US")
    assert refused.value.message == (
        f"Pick the territory from the list; '{typed}' is not a country or region."
    )
    assert refused.value.field == "territory"


def test_a_blank_territory_is_none_yet() -> None:
    """Nothing typed is no territory (a quote asks for it before it is submitted)."""
    assert territories.code_for("  ") == ""


def test_names_are_in_the_locale_asked_for() -> None:
    """A territory is named as the locale names it; a region with its members."""
    assert territories.name_of("DE", "de_DE") == "Deutschland"
    assert territories.name_of("DE", "fr_FR") == "Allemagne"
    assert territories.name_of("DACH", "de_DE") == "DACH (Deutschland, Österreich, Schweiz)"
    assert territories.name_of("EU", "de_DE") == "Europäische Union"
    assert territories.name_of("", "de_DE") == ""
    assert territories.name_of("DE", "xx_NOWHERE") == "Germany"


def test_every_name_on_the_list_finds_its_own_code() -> None:
    """Picking any entry of the list, in a few locales, stores that entry's code."""
    for locale in ("en_US", "de_DE", "fr_FR", "pt_BR"):
        for name, code in territories.choices(locale):
            assert territories.match(name, locale) == code, (locale, name)


def test_typing_completes_to_a_name_on_the_list() -> None:
    """The field offers the first name starting as typed, accents and case aside."""
    assert territories.completion("deu", "de_DE") == "Deutschland"
    assert territories.completion("oste", "de_DE") == "Österreich"
    assert territories.completion("germ", "de_DE") == "Germany"  # the English names follow
    assert territories.completion("mars c", "en_US") is None
    assert territories.completion("", "en_US") is None
