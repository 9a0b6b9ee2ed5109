"""What a screen reader needs beyond a widget's own text: roles and announcements.

Labels and buttons speak their own text; this module adds only what Qt cannot infer. A
widget that draws itself (the QR code, the avatar) or the window itself says what it *is*
through the ``accessibleRole`` property, read by a factory installed once. Changes a person
must hear (a new code, trouble, the end) go out as announcements, polite or assertive.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QAccessibleInterface
from PySide6.QtWidgets import QAccessibleWidget, QWidget

#: the dynamic property a widget sets to be exposed with another role
ROLE_PROPERTY = "accessibleRole"
_installed = False


def _factory(key: str, obj: QObject) -> QAccessibleInterface | None:
    """An interface with the widget's own role; None leaves it to Qt."""
    if not isinstance(obj, QWidget):
        return None
    role = obj.property(ROLE_PROPERTY)
    if not isinstance(role, int):
        return None
    return QAccessibleWidget(obj, QAccessible.Role(role))


def set_role(widget: QWidget, role: QAccessible.Role) -> None:
    """Expose ``widget`` as ``role`` (e.g. Graphic: an image; Dialog: a dialog window)."""
    global _installed
    if not _installed:
        QAccessible.installFactory(_factory)
        _installed = True
    widget.setProperty(ROLE_PROPERTY, role.value)


def announce(widget: QWidget, message: str, *, assertive: bool = False) -> None:
    """Have a screen reader say ``message``: politely (after what it is saying) or at once."""
    event = QAccessibleAnnouncementEvent(widget, message)
    event.setPoliteness(
        QAccessible.AnnouncementPoliteness.Assertive
        if assertive
        else QAccessible.AnnouncementPoliteness.Polite
    )
    QAccessible.updateAccessibility(event)
