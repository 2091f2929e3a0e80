"""Translations for the web pages, compiled at run time from the ``.po`` catalogs.

Every ``locale/<lang>/LC_MESSAGES/*.po`` (``messages.po`` for the shared pages, one file per area:
``buyer.po``, ``supplier.po``, ``platform.po``…) is parsed with babel, merged into one catalog and
compiled in memory into a :class:`gettext.GNUTranslations` once per process; there is no build step
and no ``.mo`` file. A message id defined in two files must have the same translation in both
(``tests/web/test_i18n.py`` checks).
Each request gets its own :class:`Translator`: nothing is installed into the shared Jinja
environment, because requests run concurrently in different languages.
"""

from __future__ import annotations

import gettext
from datetime import datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES: dict[str, str] = {"zh_CN": "中文", "en": "English"}
DEFAULT_LANG = "zh_CN"
DEFAULT_TIMEZONE = "Asia/Shanghai"
LANG_COOKIE = "lang"


def normalise_lang(value: str | None) -> str | None:
    """``zh_CN``/``zh-CN``/``zh`` → ``zh_CN``; ``en``/``en_US`` → ``en``; anything else → None."""
    if not value:
        return None
    v = value.strip().replace("-", "_")
    if v in LANGUAGES:
        return v
    base = v.split("_", 1)[0].lower()
    return {"zh": "zh_CN", "en": "en"}.get(base)


def po_files(lang: str) -> list[Path]:
    """The catalogs of ``lang``: ``messages.po`` first, then the areas' files by name."""
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    return sorted(folder.glob("*.po"), key=lambda p: (p.name != "messages.po", p.name))


def merged_catalog(lang: str) -> Catalog:
    """All of ``lang``'s ``.po`` files as one babel catalog (the first file defining an id wins)."""
    merged = Catalog(locale=lang)
    for po in po_files(lang):
        with po.open("rb") as f:
            parsed = read_po(f, locale=lang)
        for message in parsed:
            if message.id and merged.get(message.id, message.context) is None:
                merged[message.id] = message
    return merged


@cache
def catalog(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of ``lang`` (cached for the life of the process)."""
    if not po_files(lang):
        return gettext.NullTranslations()
    buf = BytesIO()
    write_mo(buf, merged_catalog(lang))
    buf.seek(0)
    return gettext.GNUTranslations(buf)


class Translator:
    """One request's language and time zone, with the callables templates use."""

    def __init__(self, lang: str, timezone: str = DEFAULT_TIMEZONE) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANG
        self._t = catalog(self.lang)
        try:
            self.tz = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            self.tz = ZoneInfo(DEFAULT_TIMEZONE)

    def gettext(self, message: str, **params: object) -> str:
        text = self._t.gettext(message)
        return text % params if params else text

    def ngettext(self, singular: str, plural: str, n: int, **params: object) -> str:
        text = self._t.ngettext(singular, plural, n)
        return text % {"num": n, **params}

    def datetime(self, value: datetime | None, fmt: str = "medium") -> str:
        """A timestamp in the user's time zone and language ('' for None)."""
        if value is None:
            return ""
        return format_datetime(value, fmt, tzinfo=self.tz, locale=self.lang)

    def pick(self, en: str, zh: str | None) -> str:
        """Choose between an English and a Chinese label stored in data (role names, resources)."""
        return zh if (self.lang == "zh_CN" and zh) else en


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker
    """Mark a string for extraction; it is translated later, where it is shown."""
    return message
