"""The window's Plex Home pages: the profile picker and the PIN pad, and their bridge to the
sign-in's thread.

The session asks its :class:`~plexlogin.home.ProfileChooser` from the sign-in's thread;
:class:`ProfileBridge` is that chooser for the window: it signals the UI thread and waits
for the person's answer. Usable with a remote: arrows, Enter and Back (Escape or
Backspace) do everything; number keys type the PIN.

Back on the picker keeps the approving account (the window goes on and stores it): the
person has already approved the sign-in on plex.tv, the signed-in profile is the one
focused, and throwing the approval away on one press of a remote's Back key would send
them through the code again. Closing the window still cancels (exit 3).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QImage, QKeyEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from plexlogin.errors import Cancelled
from plexlogin.events import Event, Profile, ProfilesOffered
from plexlogin.gui.widgets import AvatarView

if TYPE_CHECKING:
    from plexlogin.login import LoginSession, LoginSettings

PIN_LENGTH = 4
#: an avatar that takes longer stays initials
THUMB_PATIENCE = 3.0
_BACK_KEYS = (Qt.Key.Key_Escape, Qt.Key.Key_Back)
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Select)


def _label(text: str = "", *, role: str | None = None) -> QLabel:
    """A label for server text too: plain text always (a title is data, not markup)."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    if role is not None:
        label.setProperty("role", role)
    return label


class _Page(QWidget):
    """A page on which Escape means Back, not the window's Cancel shortcut."""

    def event(self, event: QEvent) -> bool:  # Qt API name
        """Claim Escape before the window-wide shortcut sees it (it reaches keyPressEvent)."""
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() in _BACK_KEYS
        ):
            event.accept()
            return True
        return super().event(event)


# --- the bridge to the sign-in's thread ------------------------------------------------------


@dataclass(frozen=True)
class _Answer:
    value: object


class ProfileBridge(QObject):
    """The window's :class:`~plexlogin.home.ProfileChooser` (lives in the UI thread).

    :meth:`choose` and :meth:`pin_for` are called in the sign-in's thread: they signal the
    UI and block until :meth:`answer` (or :meth:`cancel`, which makes them raise Cancelled).
    """

    pickerWanted = Signal(object)  # ProfilesOffered
    pinWanted = Signal(object, bool)  # Profile, whether the last PIN was wrong

    def __init__(self) -> None:
        super().__init__()
        self._answers: queue.SimpleQueue[_Answer | None] = queue.SimpleQueue()

    def choose(self, offer: ProfilesOffered) -> Profile | None:
        """Show the picker; the chosen profile, or None to keep the approving account."""
        self.pickerWanted.emit(offer)
        answer = self._wait()
        return answer if isinstance(answer, Profile) else None

    def pin_for(self, profile: Profile, wrong: bool) -> str | None:
        """Show the PIN pad; the PIN, or None for Back."""
        self.pinWanted.emit(profile, wrong)
        answer = self._wait()
        return answer if isinstance(answer, str) else None

    def answer(self, value: object) -> None:
        """The person's answer (UI thread)."""
        self._answers.put(_Answer(value))

    def cancel(self) -> None:
        """The window closed: a waiting question ends with Cancelled (any thread)."""
        self._answers.put(None)

    def session_factory(
        self, settings: LoginSettings, on_event: Callable[[Event], None]
    ) -> LoginSession:
        """A session whose Home profiles are chosen through this bridge."""
        from plexlogin.login import LoginSession

        return LoginSession(settings, on_event, chooser=self)

    def _wait(self) -> object:
        answer = self._answers.get()
        if answer is None:
            self._answers.put(None)  # every later question is cancelled too
            raise Cancelled()
        return answer.value


# --- the picker ----------------------------------------------------------------------------


class _Thumbs(QObject):
    """Loads avatars off the UI thread; ``loaded`` arrives in the UI thread."""

    loaded = Signal(str, QImage)  # uuid, picture

    def fetch(self, uuid: str, url: str | None) -> None:
        if not url or not url.startswith(("https://", "http://")):
            return

        def load() -> None:
            from plexlogin.gui.worker import _download

            data = _download(url, THUMB_PATIENCE)
            image = QImage.fromData(data) if data else QImage()
            if not image.isNull():
                self.loaded.emit(uuid, image)

        threading.Thread(target=load, name="plexlogin-thumb", daemon=True).start()


class ProfileTile(QPushButton):
    """One profile: avatar (initials until the picture loads), title, lock and admin badges."""

    def __init__(self, profile: Profile, *, signed_in: bool) -> None:
        super().__init__()
        self.profile = profile
        self.setObjectName("profileTile")
        self.setCheckable(False)
        self.setMinimumSize(132, 176)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 12, 10, 10)
        self.avatar = AvatarView()
        self.avatar.set_name(profile.title)
        layout.addWidget(self.avatar, 0, Qt.AlignmentFlag.AlignHCenter)
        self.title = _label(profile.title, role="profileTitle")
        layout.addWidget(self.title)
        badges = [
            text
            for text, on in (("🔒 PIN", profile.protected), ("admin", profile.admin))
            if on
        ]
        self.badges = _label("  ·  ".join(badges), role="hint")
        layout.addWidget(self.badges)
        described = [*badges, "signed in"] if signed_in else badges
        # a button's accessible name is its text; this one has its text in child labels
        self.setAccessibleName(profile.title)
        self.setAccessibleDescription(", ".join(d.replace("🔒 ", "") for d in described))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # Qt API name
        """Enter (or a remote's OK) chooses, like Space."""
        if event.key() in _ENTER_KEYS:
            self.click()
            return
        super().keyPressEvent(event)


class ProfilePicker(_Page):
    """The page "Who is watching?": a row of tiles, the signed-in profile first and focused."""

    chosen = Signal(object)  # Profile, or None for Back (keep the approving account)

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("profilePicker")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.heading = _label("Who is using this device?", role="title")
        layout.addWidget(self.heading)
        self.hint = _label("", role="hint")
        layout.addWidget(self.hint)
        self._row = QHBoxLayout()
        self._row.setSpacing(12)
        layout.addLayout(self._row, 1)
        self.tiles: list[ProfileTile] = []
        self._thumbs = _Thumbs()
        self._thumbs.loaded.connect(self._show_thumb)

    def show_offer(self, offer: ProfilesOffered) -> None:
        """Show ``offer``'s profiles (the signed-in one first) and focus the first."""
        for tile in self.tiles:
            tile.deleteLater()
        self.tiles = []
        for profile in offer.profiles:
            tile = ProfileTile(profile, signed_in=profile.uuid == offer.current)
            tile.clicked.connect(lambda _=False, p=profile: self.chosen.emit(p))
            self._row.addWidget(tile)
            self.tiles.append(tile)
            self._thumbs.fetch(profile.uuid, profile.thumb)
        first = offer.profiles[0].title if offer.profiles else "this account"
        self.hint.setText(f"Arrows and Enter choose · Back: stay signed in as {first}")
        if self.tiles:
            self.tiles[0].setFocus(Qt.FocusReason.OtherFocusReason)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # Qt API name
        """Arrows move between tiles; Back keeps the approving account."""
        key = event.key()
        if key in (*_BACK_KEYS, Qt.Key.Key_Backspace):
            self.chosen.emit(None)
        elif key in (Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_Left, Qt.Key.Key_Up):
            self._move(1 if key in (Qt.Key.Key_Right, Qt.Key.Key_Down) else -1)
        else:
            super().keyPressEvent(event)

    def _move(self, step: int) -> None:
        focused = [tile for tile in self.tiles if tile.hasFocus()]
        index = self.tiles.index(focused[0]) if focused else 0
        self.tiles[(index + step) % len(self.tiles)].setFocus(Qt.FocusReason.TabFocusReason)

    @Slot(str, QImage)
    def _show_thumb(self, uuid: str, image: QImage) -> None:
        for tile in self.tiles:
            if tile.profile.uuid == uuid:
                tile.avatar.set_image(image)


# --- the PIN pad ---------------------------------------------------------------------------


class PinPad(_Page):
    """Four masked digits, from number keys or the on-screen pad; submitted at the fourth."""

    entered = Signal(str)
    back = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("pinPad")
        self._digits: list[str] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.heading = _label("", role="title")
        layout.addWidget(self.heading)
        self.dots = _label("", role="pinDots")
        self.dots.setAccessibleName("PIN")
        layout.addWidget(self.dots)
        self.message = _label("", role="error")
        layout.addWidget(self.message)
        layout.addLayout(self._build_keys())
        self._show_dots()

    def _build_keys(self) -> QGridLayout:
        grid = QGridLayout()
        self.keys: dict[str, QPushButton] = {}
        for index, text in enumerate([*"123456789", "Back", "0", "⌫"]):
            key = QPushButton(text)
            key.setObjectName("pinKey")
            key.setMinimumSize(64, 44)
            grid.addWidget(key, index // 3, index % 3)
            self.keys[text] = key
            key.clicked.connect(lambda _=False, t=text: self._pressed(t))
            # the test suite wants every button named and described, as screen readers do
            key.setAccessibleName(text)
            key.setAccessibleDescription("Types this digit of the PIN (it is not spoken)")
        self.keys["⌫"].setAccessibleName("Delete one digit")
        self.keys["⌫"].setAccessibleDescription("Deletes the last digit typed (Backspace)")
        self.keys["Back"].setAccessibleDescription("Back to the profiles (Escape)")
        return grid

    def ask(self, profile: Profile, wrong: bool) -> None:
        """Ask for ``profile``'s PIN (saying so when the last one was wrong)."""
        self.heading.setText(f"Enter the PIN of {profile.title}")
        self.message.setText("The PIN was wrong. Try again." if wrong else "")
        self.clear()
        self.setEnabled(True)
        self.keys["1"].setFocus(Qt.FocusReason.OtherFocusReason)

    def clear(self) -> None:
        """Forget the digits typed so far."""
        self._digits.clear()
        self._show_dots()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # Qt API name
        """Number keys type; Backspace deletes one (none left: Back); Escape is Back."""
        text = event.text()
        if len(text) == 1 and text.isascii() and text.isdigit():
            self._pressed(text)
        elif event.key() == Qt.Key.Key_Backspace:
            self._pressed("⌫")
        elif event.key() in _BACK_KEYS:
            self._pressed("Back")
        else:
            super().keyPressEvent(event)

    def _pressed(self, key: str) -> None:
        if key == "Back" or (key == "⌫" and not self._digits):
            self.clear()
            self.back.emit()
        elif key == "⌫":
            self._digits.pop()
        elif len(self._digits) < PIN_LENGTH:
            self._digits.append(key)
        self._show_dots()
        if len(self._digits) == PIN_LENGTH:
            pin = "".join(self._digits)
            self.clear()  # the digits live no longer than the submission
            self.setEnabled(False)  # until plex.tv answers
            self.message.setText("Checking…")
            self.entered.emit(pin)

    def _show_dots(self) -> None:
        typed = len(self._digits)
        self.dots.setText(" ".join("●" * typed + "○" * (PIN_LENGTH - typed)))
        self.dots.setAccessibleDescription(f"{typed} of {PIN_LENGTH} digits typed")


# --- the pages in the window ---------------------------------------------------------------


class ProfilePages(QObject):
    """Puts the picker and the PIN pad in the window's page stack and answers the bridge."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bridge = ProfileBridge()
        self.picker = ProfilePicker()
        self.pad = PinPad()
        self._stack: QStackedWidget | None = None
        self._after: QWidget | None = None
        self._offer: ProfilesOffered | None = None
        self.bridge.pickerWanted.connect(self._show_picker)
        self.bridge.pinWanted.connect(self._show_pad)
        self.picker.chosen.connect(self._answer)
        self.pad.entered.connect(self.bridge.answer)  # the pad says "Checking…" meanwhile
        self.pad.back.connect(lambda: self._answer(None))

    def session_factory(
        self, settings: LoginSettings, on_event: Callable[[Event], None]
    ) -> LoginSession:
        """The window's sessions ask the person through these pages."""
        return self.bridge.session_factory(settings, on_event)

    def add_to(self, stack: QStackedWidget, after: QWidget | None) -> None:
        """Add both pages to ``stack``; ``after`` is shown while plex.tv works on an answer."""
        self._stack, self._after = stack, after
        stack.addWidget(self.picker)
        stack.addWidget(self.pad)

    @Slot(object)
    def _show_picker(self, offer: ProfilesOffered) -> None:
        self._offer = offer
        self.picker.show_offer(offer)
        self._show(self.picker)
        if self.picker.tiles:
            self.picker.tiles[0].setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot(object, bool)
    def _show_pad(self, profile: Profile, wrong: bool) -> None:
        self._show(self.pad)
        self.pad.ask(profile, wrong)

    def _answer(self, value: object) -> None:
        if self._after is not None:
            self._show(self._after)
        self.bridge.answer(value)

    def _show(self, page: QWidget) -> None:
        if self._stack is not None:
            self._stack.setCurrentWidget(page)
