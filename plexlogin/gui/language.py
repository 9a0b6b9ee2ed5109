"""The window in the person's language: Qt's own texts, the reading direction, isolated runs.

plexlogin's sentences come from its gettext catalog (:mod:`plexlogin.i18n`); Qt's standard
texts (a text field's context menu, say) come from ``qtbase_<lang>.qm``, shipped with PySide6.
An Arabic window mirrors its layout, while the code, the QR code and URLs stay left to right:
they are read character by character, not as words of the sentence around them.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, Qt, QTranslator
from PySide6.QtWidgets import QApplication, QWidget

from plexlogin import i18n

log = logging.getLogger(__name__)

#: Unicode's left-to-right isolate and its end: the bidi algorithm keeps what is between
#: them in one left-to-right run, whatever the sentence around it
LEFT_TO_RIGHT_ISOLATE = "\u2066"
POP_ISOLATE = "\u2069"
#: the QTranslator installed for Qt's texts (Qt does not own it: it must outlive its use)
_installed: list[QTranslator] = []


def left_to_right(text: str) -> str:
    """``text`` (a URL, a code) kept left to right inside a sentence in any language."""
    return f"{LEFT_TO_RIGHT_ISOLATE}{text}{POP_ISOLATE}"


def direction(language: i18n.Language | None = None) -> Qt.LayoutDirection:
    """The layout direction the language reads in."""
    language = language or i18n.current()
    if language.right_to_left:
        return Qt.LayoutDirection.RightToLeft
    return Qt.LayoutDirection.LeftToRight


def keep_left_to_right(*widgets: QWidget) -> None:
    """Lay ``widgets`` out left to right even in a mirrored window (codes, QR, URLs)."""
    for widget in widgets:
        widget.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


def qt_translator(language: i18n.Language) -> QTranslator | None:
    """Qt's own texts in ``language`` (``qtbase_pt_BR.qm``), or None where none is shipped.

    A frozen app may leave Qt's translations out: Qt then says its few words in English,
    which is no reason to complain beyond ``-v``.
    """
    if language.code == i18n.SOURCE_LANGUAGE:
        return None
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    translator = QTranslator()
    if not translator.load(f"qtbase_{language.code}", folder):
        log.info("no qtbase_%s.qm under %s; Qt's own texts stay English", language.code, folder)
        return None
    return translator


def use_language(app: QApplication, language: i18n.Language | None = None) -> None:
    """Set ``app`` up for ``language`` (the current one): Qt's texts and the direction.

    Called before the window is built, so every widget starts out in the right direction.
    """
    language = language or i18n.current()
    while _installed:  # another language before (tests switch): its texts go
        QCoreApplication.removeTranslator(_installed.pop())
    translator = qt_translator(language)
    if translator is not None:
        QCoreApplication.installTranslator(translator)
        _installed.append(translator)
    app.setLayoutDirection(direction(language))
