"""The window in every shipped language: nothing cut off, Arabic mirrored, the QR still read.

Each language's window is opened at its default size and in TV mode (1080p), against the
simulator, and walked page by page: every visible label and button must have the room its
text needs, in the shipped catalogs. :class:`Stretched` is a stand-in catalog whose every
sentence is longer than English by a factor, so the same checks hold for a translation
that is longer still: measured on the window's sentences, the catalogs run 0.7 (Japanese)
to 1.26 (French) times the English length at the median, and up to 1.65 times for a
short sentence; the stand-in makes every sentence 1.6 times as long at once.
"""

from __future__ import annotations

import gettext
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPixmap, QTextLayout, QTextOption
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from plexlogin import events, i18n
from plexlogin.errors import NetworkError
from plexlogin.gui.language import (
    LEFT_TO_RIGHT_ISOLATE,
    POP_ISOLATE,
    direction,
    qt_translator,
    use_language,
)
from plexlogin.gui.window import SignInWindow
from plexlogin.simulator import Simulator
from plexlogin.tokens import MemoryKeyring

from .conftest import decode_qr, settings_for, wait_for_codes

pytestmark = pytest.mark.gui

LANGUAGES = ("en", *i18n.TRANSLATED)
TV_SCREEN = QSize(1920, 1080)
#: a Home with a PIN-protected admin and a managed profile, for the picker and the PIN pad
HOME = events.ProfilesOffered(
    profiles=(
        events.Profile(1, "u-1", "Alexandra-Katharina", "alexandra", admin=True, protected=True),
        events.Profile(2, "u-2", "Kids", None, restricted=True),
    ),
    current="u-1",
)


class Stretched(gettext.NullTranslations):
    """A catalog whose every sentence is ``factor`` times as long as English.

    The English words are repeated until the sentence is long enough (a placeholder may
    then appear twice, which ``str.format`` allows): words a layout can wrap between, as
    real translations have.
    """

    def __init__(self, factor: float, *, long_words: bool = False) -> None:
        super().__init__()
        self.factor = factor
        self.long_words = long_words

    def _stretch(self, message: str) -> str:
        if not message:
            return message
        if self.long_words:  # every word longer by the factor, so no more breaks
            return " ".join(self._longer(word) for word in message.split(" "))
        lines = [self._stretch_line(line) for line in message.split("\n")]
        return "\n".join(lines)

    def _longer(self, word: str) -> str:
        if "{" in word:
            return word  # a placeholder stays as it is
        extra = round(len(word) * (self.factor - 1))
        return word + (word * 3)[:extra]

    def _stretch_line(self, line: str) -> str:
        words = line.split(" ")
        target = round(len(line) * self.factor)
        stretched = list(words)
        index = 0
        while len(" ".join(stretched)) < target:
            stretched.append(words[index % len(words)])
            index += 1
        return " ".join(stretched)

    def gettext(self, message: str) -> str:
        """``message``, stretched."""
        return self._stretch(message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        """The English form for ``n``, stretched."""
        return self._stretch(msgid1 if n == 1 else msgid2)

    def pgettext(self, context: str, message: str) -> str:
        """``message``, stretched (the context changes nothing here)."""
        return self._stretch(message)


def speak(language: i18n.Language) -> None:
    """Make ``language`` current, for plexlogin's sentences and for the application."""
    i18n.activate(language)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    use_language(app, language)


@pytest.fixture
def english_afterwards() -> Iterator[None]:
    """Whatever a test speaks, the next one starts in English, left to right."""
    yield
    speak(i18n.ENGLISH)


def widest_wrapped_line(label: QLabel) -> float:
    """The widest line of ``label``'s text wrapped at its width, as QLabel breaks it.

    Wrapping breaks where a line may break (spaces, after hyphens), never inside a word:
    a word longer than the label (German has them) sticks out, though the height fits.
    """
    layout = QTextLayout(label.text().replace("\n", "\u2028"), label.font())
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    layout.setTextOption(option)
    layout.beginLayout()
    widest = 0.0
    line = layout.createLine()
    while line.isValid():
        line.setLineWidth(label.contentsRect().width())
        widest = max(widest, line.naturalTextWidth())
        line = layout.createLine()
    layout.endLayout()
    return widest


def too_small(widget: QWidget) -> bool:
    """Whether ``widget``'s text needs more room than the widget has (clipped or elided)."""
    if isinstance(widget, QAbstractButton):
        return widget.sizeHint().width() > widget.width()
    assert isinstance(widget, QLabel)
    metrics = widget.fontMetrics()
    if widget.wordWrap():
        too_wide = widest_wrapped_line(widget) > widget.contentsRect().width()
        return too_wide or widget.heightForWidth(widget.width()) > widget.height()
    widest = max(metrics.horizontalAdvance(line) for line in widget.text().split("\n"))
    return widest > widget.contentsRect().width()


def cut_off(window: SignInWindow) -> list[str]:
    """The texts of the visible labels and buttons that do not fit."""
    parts: list[QWidget] = [*window.findChildren(QLabel), *window.findChildren(QAbstractButton)]
    shown = [part for part in parts if part.isVisible() and part.text()]  # type: ignore[attr-defined]
    assert shown
    return [part.text() for part in shown if too_small(part)]  # type: ignore[attr-defined]


def details(window: SignInWindow) -> list[tuple[str, int, int, int]]:
    """Each cut-off part's text, width, height and the height it needs (for the report)."""
    return [
        (part.text()[:30], part.width(), part.height(), part.heightForWidth(part.width()))
        for part in window.findChildren(QLabel)
        if part.isVisible() and part.text() and too_small(part)
    ]


def open_in(qtbot: QtBot, sim: Simulator, *, tv: bool) -> SignInWindow:
    """A window (TV mode: filling a 1080p screen) with codes on screen."""
    window = SignInWindow(settings_for(sim, tv=tv, stay_open=True))
    qtbot.addWidget(window)
    if tv:
        window.setGeometry(0, 0, TV_SCREEN.width(), TV_SCREEN.height())
    window.show()
    qtbot.waitExposed(window)
    window.start()
    wait_for_codes(qtbot, window)
    return window


def walk_pages(window: SignInWindow) -> Iterator[str]:
    """Show each page with its longest texts, as the worker's events would; yield its name."""
    yield "waiting"
    window.countdown.start(window.countdown.remaining() or 0.0, 900.0)
    # the flow's longest trouble line, as long as it will be in the language (the
    # stand-in catalog stretches it; the flow adds its own "retrying in" after it)
    longest = "plex.tv sent an unexpected answer — retrying in 10 s"
    message = i18n.current().translations.gettext(longest)
    trouble = NetworkError(message)
    window._apply(events.Trouble(message=str(trouble), retry_at=0.0, error=trouble))
    assert window.status.isVisible() and message in window.status.text()
    yield "waiting, in trouble"
    window.countdown.stop("")  # the worker's clock must not move the pages on by itself
    profiles = window.profiles
    profiles._show_picker(HOME)
    yield "profile picker"
    profiles._show_pad(HOME.profiles[0], True)
    yield "PIN pad"
    profiles._show(window.finishing)
    window._apply(events.Approved(via_qr=True))
    yield "finishing"
    window._apply(events.Stored(service="plexlogin-test", username="someone-with-a-long-name"))
    yield "done"
    window._show_save_failed("The keyring is locked.")
    yield "save failed"
    window._stopped = False
    window._show_failed(str(NetworkError("plex.tv could not be reached")))
    yield "problem"


def assert_fits(window: SignInWindow) -> None:
    """Every page of ``window`` has room for all of its text."""
    for page in walk_pages(window):
        QApplication.processEvents()  # the layouts take in the new texts
        assert cut_off(window) == [], (page, details(window))


def assert_left_to_right_parts(window: SignInWindow) -> None:
    """The code and the QR read left to right, in a mirrored window too; the QR decodes."""
    assert window.layoutDirection() == direction()
    for part in (window.code_view, window.qr_view, window.link_label):
        assert part.layoutDirection() == Qt.LayoutDirection.LeftToRight
    pixmap = QPixmap(window.size())
    window.render(pixmap)
    assert len(decode_qr(pixmap.toImage())) == 1


@pytest.mark.parametrize("tv", [False, True], ids=["desk", "tv"])
@pytest.mark.parametrize("code", LANGUAGES)
def test_every_language_fits_and_the_qr_decodes(
    qtbot: QtBot,
    sim: Simulator,
    memory_keyring: MemoryKeyring,
    english_afterwards: None,
    code: str,
    tv: bool,
) -> None:
    speak(i18n.load(code))
    window = open_in(qtbot, sim, tv=tv)
    assert_left_to_right_parts(window)
    assert_fits(window)
    window.close()


def test_arabic_mirrors_the_window_but_not_the_code(
    qtbot: QtBot, sim: Simulator, memory_keyring: MemoryKeyring, english_afterwards: None
) -> None:
    speak(i18n.Language("ar", i18n.load("ar").translations))
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    assert app.layoutDirection() == Qt.LayoutDirection.RightToLeft
    window = open_in(qtbot, sim, tv=False)
    assert window.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert window.code_view.layoutDirection() == Qt.LayoutDirection.LeftToRight
    assert window.qr_view.layoutDirection() == Qt.LayoutDirection.LeftToRight
    # mirrored: the QR column, on the right in English, is now on the left of the code
    qr_left = window.qr_view.mapTo(window, window.qr_view.rect().topLeft()).x()
    code_left = window.code_view.mapTo(window, window.code_view.rect().topLeft()).x()
    assert qr_left < code_left
    # the link reads left to right, lined up at the right with the sentences around it
    assert window.link_label.alignment() & Qt.AlignmentFlag.AlignRight
    # the link inside the code's description is kept in one left-to-right run
    assert (
        f"{LEFT_TO_RIGHT_ISOLATE}plex.tv/link{POP_ISOLATE}"
        in window.code_view.accessibleDescription()
    )
    # the PIN pad is a phone's in any language: 1 2 3 from the left, Back at the bottom left
    profiles = window.profiles
    profiles._show_pad(HOME.profiles[0], False)
    QApplication.processEvents()
    keys = profiles.pad.keys
    left = {name: key.mapTo(window, key.rect().topLeft()).x() for name, key in keys.items()}
    assert left["1"] < left["2"] < left["3"]
    assert left["back"] < left["0"] < left["delete"]
    window.close()
    speak(i18n.ENGLISH)
    assert app.layoutDirection() == Qt.LayoutDirection.LeftToRight


#: stand-in catalogs: sentences 1.6 times as long (more words), and words half as long again
#: (German compounds, which do not wrap), with what each makes of "Copy code"
LONGER = {
    "half-as-long-again": (Stretched(1.6), "Copy code Copy"),
    "longer-words": (Stretched(1.5, long_words=True), "CopyCo codeco"),
}


@pytest.mark.parametrize("tv", [False, True], ids=["desk", "tv"])
@pytest.mark.parametrize("longer", list(LONGER))
def test_a_translation_longer_than_english_wraps_instead_of_clipping(
    qtbot: QtBot,
    sim: Simulator,
    memory_keyring: MemoryKeyring,
    english_afterwards: None,
    longer: str,
    tv: bool,
) -> None:
    catalog, copy_code = LONGER[longer]
    speak(i18n.Language("de", catalog))
    assert i18n._("Copy code") == copy_code
    window = open_in(qtbot, sim, tv=tv)
    assert window.copy_button.text() == copy_code or tv  # (a TV has no copying)
    assert_fits(window)
    window.close()


def test_the_check_sees_a_clipped_label(
    qtbot: QtBot, sim: Simulator, memory_keyring: MemoryKeyring
) -> None:
    window = open_in(qtbot, sim, tv=False)
    assert cut_off(window) == []
    window.title.setText(window.title.text() * 20)  # a label that has not grown (yet)
    assert cut_off(window) == [window.title.text()]
    window.title.setText("Sign in to Plex")
    # a wrapped label: a word wider than it sticks out, though two lines' height fits
    word = "Anmeldeinformationsspeicherverwaltungsdienst" * 2
    window.subtitle.setText(word)
    assert window.subtitle.heightForWidth(window.subtitle.width()) <= window.subtitle.height()
    assert cut_off(window) == [word]
    window.close()


@pytest.mark.parametrize("code", i18n.TRANSLATED)
def test_qt_speaks_each_language_from_its_own_catalog(code: str) -> None:
    translator = qt_translator(i18n.Language(code, gettext.NullTranslations()))
    assert translator is not None and not translator.isEmpty()
    assert translator.language().replace("-", "_").startswith(code.partition("_")[0])


def test_no_qt_catalog_is_no_complaint(caplog: pytest.LogCaptureFixture) -> None:
    assert qt_translator(i18n.ENGLISH) is None
    assert qt_translator(i18n.Language("xx", gettext.NullTranslations())) is None
    assert [record.levelname for record in caplog.records] in ([], ["INFO"])


def test_the_application_reads_right_to_left_before_any_window_exists() -> None:
    # a process of its own: the suite's QApplication exists already, and application()
    # sets up only the one it creates
    script = (
        "from plexlogin import i18n; i18n.choose(None);"
        "from plexlogin.gui.app import application; app = application();"
        "from PySide6.QtCore import QCoreApplication;"
        "print(app.layoutDirection().name, QCoreApplication.translate('QPlatformTheme', 'Cancel'))"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", LANGUAGE="ar", LANG="ar_EG.UTF-8")
    run = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr[-2000:]
    direction_name, cancel = run.stdout.split(maxsplit=1)
    assert direction_name == "RightToLeft"
    assert cancel.strip() not in ("", "Cancel")  # Qt's own Arabic word


def test_qt_says_its_own_words_in_the_language(english_afterwards: None) -> None:
    from PySide6.QtCore import QCoreApplication

    english = QCoreApplication.translate("QPlatformTheme", "Cancel")
    speak(i18n.Language("de", gettext.NullTranslations()))
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Abbrechen"
    speak(i18n.ENGLISH)
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == english


@pytest.mark.parametrize(("seconds", "shown"), [(845, "14:05"), (60, "1:00"), (9, "0:09")])
def test_the_time_left_keeps_two_digits_of_seconds(
    english_afterwards: None, seconds: int, shown: str
) -> None:
    from plexlogin.gui.widgets import minutes_and_seconds

    for code in LANGUAGES:
        i18n.activate(i18n.Language(code, gettext.NullTranslations()))
        assert minutes_and_seconds(seconds) == shown, code
