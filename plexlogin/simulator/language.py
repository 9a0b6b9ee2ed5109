"""Which language an approval page speaks: the browser's, else the app's.

The pages are for the person trying ``--demo``, in a browser that says what it reads in
its ``Accept-Language`` header. A request is served on its own thread while the app may be
showing its window in the language it chose at start-up, so nothing here changes the
process-wide language (:func:`plexlogin.i18n.activate`): the chosen :class:`Language` is
handed to the page that is rendered.
"""

from __future__ import annotations

from plexlogin import i18n
from plexlogin.i18n import Language


def accepted(header: str | None) -> list[str]:
    """The language tags of an ``Accept-Language`` header, most wanted first.

    Tags keep their header order among equal q-values; ``q=0`` (not wanted) and ``*``
    (anything, which says nothing about a choice) are left out, and so is a malformed q.
    """
    weighted: list[tuple[float, int, str]] = []
    for position, item in enumerate((header or "").split(",")):
        tag, _sep, parameters = item.partition(";")
        tag = tag.strip()
        quality = _quality(parameters)
        if tag and tag != "*" and quality is not None and quality > 0:
            weighted.append((-quality, position, tag))
    return [tag for _quality_key, _position, tag in sorted(weighted)]


def _quality(parameters: str) -> float | None:
    """The ``q`` of ``q=0.8`` (1 when absent), or None when it is not a number from 0 to 1."""
    for parameter in parameters.split(";"):
        name, _sep, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value.strip())
            except ValueError:
                return None
            return quality if 0 <= quality <= 1 else None
    return 1.0


def page_language(header: str | None) -> Language:
    """The language for a page: the browser's first one plexlogin speaks, else the app's."""
    code = i18n.match(accepted(header))
    current = i18n.current()
    # the app's own language keeps its catalog object (a test's or a caller's own)
    return current if code is None or code == current.code else i18n.load(code)
