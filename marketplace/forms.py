"""The base of every form: Flask-WTF (CSRF) with WTForms' own messages in the visitor's language.
WTForms ships no Vietnamese catalogue, so ours is in translations/vi/LC_MESSAGES/wtforms.po."""
from __future__ import annotations

import functools

from babel.support import NullTranslations, Translations
from flask import current_app
from flask_wtf import FlaskForm

from .i18n import current_language


@functools.lru_cache(maxsize=8)
def _wtforms_translations(directory: str, language: str):
    translations = Translations.load(directory, [language], domain="wtforms")
    return translations if isinstance(translations, Translations) else NullTranslations()


class Form(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return _wtforms_translations(current_app.config["BABEL_TRANSLATION_DIRECTORIES"], current_language())
