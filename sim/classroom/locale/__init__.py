"""The class's language: messages and numbers in English (the source) or French.

Every sentence a class reads (the app, the demo's figures and story, notebook 04) is
marked in the code with ``_()`` (or ``N_()`` where it is only named, to be translated
later), extracted with Babel into the template ``sim.pot`` and translated in
``LANG/LC_MESSAGES/sim.po``: the ordinary gettext workflow, so any translator's tool
(Poedit, Weblate, a text editor) can add a language. The catalogue is read at run time
with Babel, so no compiled ``.mo`` file can fall out of date. How to update it after
changing a message: ``sim/classroom/locale/README.md``.

Numbers follow the language's conventions too (``27 %`` and ``1 000`` in French),
through Babel's number formatting.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path

from sim.errors import UserError, did_you_mean
from sim.messages import N_

__all__ = ["LANGUAGES", "LOCALE_DIR", "DOMAIN", "N_", "Texts", "check_language", "translation"]

# Languages with a catalogue, by code, each named in its own language.
LANGUAGES: dict[str, str] = {"en": "English", "fr": "Français"}
SOURCE = "en"  # the language the messages are written in
DOMAIN = "sim"
LOCALE_DIR = Path(__file__).resolve().parent


def check_language(lang: str) -> str:
    """``lang`` if it has a catalogue; else one clear error that lists the choices."""
    if lang not in LANGUAGES:
        choices = ", ".join(LANGUAGES)
        hint = did_you_mean(lang, LANGUAGES)
        raise UserError(f"unknown language {lang!r}: choose one of {choices}.{hint}")
    return lang


def catalogue_path(lang: str) -> Path:
    """The ``.po`` file of ``lang``."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translation(lang: str = SOURCE) -> gettext.NullTranslations:
    """The messages of ``lang`` as a standard ``gettext`` translation object.

    English is the source: its translation returns each message as written. Fuzzy
    (unchecked) entries are left out, as ``msgfmt`` does.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    check_language(lang)
    if lang == SOURCE:
        return gettext.NullTranslations()
    with catalogue_path(lang).open("rb") as po:
        catalogue = read_po(po, locale=lang, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalogue, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


@dataclass(frozen=True)
class Texts:
    """What a page or a file needs to speak ``lang``: its messages and its numbers.

    ``texts("...")`` translates a message; ``percent``, ``number`` and ``decimal``
    write numbers the way the language does.
    """

    lang: str = SOURCE

    def __post_init__(self) -> None:
        check_language(self.lang)

    def __call__(self, message: str) -> str:
        return translation(self.lang).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The form of a message that fits the count ``n``."""
        return translation(self.lang).ngettext(singular, plural, n)

    def percent(self, share: float) -> str:
        """``0.27`` as ``27%`` (English) or ``27 %`` (French), in whole percents."""
        from babel.numbers import format_percent

        return format_percent(share, locale=self.lang)

    def number(self, value: float) -> str:
        """A whole number with the language's thousands separator."""
        from babel.numbers import format_decimal

        return format_decimal(round(value), locale=self.lang)

    def decimal(self, value: float, digits: int = 2) -> str:
        """A number with ``digits`` decimals (a comma in French)."""
        from babel.numbers import format_decimal

        return format_decimal(value, format="#,##0." + "0" * digits, locale=self.lang)
