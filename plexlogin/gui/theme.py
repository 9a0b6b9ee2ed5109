"""Colours, fonts and style sheets, derived from the palette so light and dark both work.

The only fixed colour is Plex's amber, used sparingly: the main button, the countdown bar
and the "New code" notice. Everything else comes from the platform's palette, so the
window sits naturally in a light or a dark desktop.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QFontDatabase, QPalette

ACCENT = QColor("#E5A00D")
ACCENT_HOVER = QColor("#F0B429")
ACCENT_PRESSED = QColor("#C98B08")
#: near-black on amber: 9.6:1 contrast, readable in both themes
ON_ACCENT = QColor("#1C1C1C")
#: the QR code is always dark on light, whatever the theme: phone cameras expect that
QR_DARK = QColor("#000000")
QR_LIGHT = QColor("#FFFFFF")
#: the tick on the signed-in avatar
SUCCESS = QColor("#2E9E5B")
WARNING_LIGHT = QColor("#9A5B00")
WARNING_DARK = QColor("#F2B84B")
ERROR_LIGHT = QColor("#B3261E")
ERROR_DARK = QColor("#F2A29B")


def is_dark(palette: QPalette) -> bool:
    """Whether the window background is dark."""
    return palette.color(QPalette.ColorRole.Window).lightnessF() < 0.5


def blend(a: QColor, b: QColor, amount: float) -> QColor:
    """``a`` moved ``amount`` (0..1) of the way towards ``b``."""
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * amount,
        a.greenF() + (b.greenF() - a.greenF()) * amount,
        a.blueF() + (b.blueF() - a.blueF()) * amount,
    )


def muted_text(palette: QPalette) -> QColor:
    """Secondary text: clearly quieter than the main text, still well readable."""
    return blend(
        palette.color(QPalette.ColorRole.WindowText), palette.color(QPalette.ColorRole.Window), 0.38
    )


def card_background(palette: QPalette) -> QColor:
    """The card stands slightly off the window background (lighter in light, lighter in dark)."""
    window = palette.color(QPalette.ColorRole.Window)
    if is_dark(palette):
        return blend(window, QColor("#FFFFFF"), 0.05)
    return blend(window, QColor("#FFFFFF"), 0.75)


def hairline(palette: QPalette) -> QColor:
    """Borders: a thin line that is visible but does not shout."""
    return blend(
        palette.color(QPalette.ColorRole.Window), palette.color(QPalette.ColorRole.WindowText), 0.16
    )


def warning_text(palette: QPalette) -> QColor:
    """Amber-brown for "retrying" messages; readable on either background."""
    return WARNING_DARK if is_dark(palette) else WARNING_LIGHT


def error_text(palette: QPalette) -> QColor:
    """Red for failures, tuned per theme for contrast."""
    return ERROR_DARK if is_dark(palette) else ERROR_LIGHT


def scaled_font(base: QFont, factor: float, weight: QFont.Weight | None = None) -> QFont:
    """``base`` at ``factor`` times its size, optionally with another weight."""
    font = QFont(base)
    size = base.pointSizeF()
    if size > 0:
        font.setPointSizeF(size * factor)
    else:  # a pixel-sized font (some platforms)
        font.setPixelSize(max(1, round(base.pixelSize() * factor)))
    if weight is not None:
        font.setWeight(weight)
    return font


def code_font(base: QFont) -> QFont:
    """The sign-in code: the system's monospace face, large and bold, so 0/O and 1/I differ."""
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setStyleHint(QFont.StyleHint.Monospace)
    size = base.pointSizeF() if base.pointSizeF() > 0 else 10.0
    font.setPointSizeF(size * 2.9)
    font.setWeight(QFont.Weight.Bold)
    return font


def css(color: QColor) -> str:
    """A colour for a style sheet (keeps alpha)."""
    return color.name(QColor.NameFormat.HexArgb)


def style_sheet(palette: QPalette) -> str:
    """The window's style sheet for the given palette."""
    text = palette.color(QPalette.ColorRole.WindowText)
    line = hairline(palette)
    button_face = card_background(palette)
    button_hover = blend(button_face, text, 0.07)
    focus = palette.color(QPalette.ColorRole.Highlight)
    accent_tint = QColor(ACCENT)
    accent_tint.setAlphaF(0.16)
    return f"""
    QFrame#card {{
        background: {css(card_background(palette))};
        border: 1px solid {css(line)};
        border-radius: 14px;
    }}
    QLabel {{ background: transparent; }}
    QLabel[role="muted"] {{ color: {css(muted_text(palette))}; }}
    QLabel[role="warning"] {{ color: {css(warning_text(palette))}; }}
    QLabel[role="error"] {{ color: {css(error_text(palette))}; }}
    QLabel#newCode {{
        background: {css(accent_tint)};
        color: {css(warning_text(palette))};
        border-radius: 9px;
        padding: 1px 9px;
        font-weight: 600;
    }}
    QPushButton {{
        background: {css(button_face)};
        color: {css(text)};
        border: 1px solid {css(line)};
        border-radius: 7px;
        padding: 7px 16px;
        min-height: 20px;
    }}
    QPushButton:hover {{ background: {css(button_hover)}; }}
    QPushButton:focus {{ border: 2px solid {css(focus)}; padding: 6px 15px; }}
    QPushButton:disabled {{ color: {css(muted_text(palette))}; }}
    QPushButton[primary="true"] {{
        background: {css(ACCENT)};
        color: {css(ON_ACCENT)};
        border: 1px solid {css(ACCENT_PRESSED)};
        font-weight: 600;
    }}
    QPushButton[primary="true"]:hover {{ background: {css(ACCENT_HOVER)}; }}
    QPushButton[primary="true"]:pressed {{ background: {css(ACCENT_PRESSED)}; }}
    QPushButton[primary="true"]:focus {{ border: 2px solid {css(focus)}; }}
    QPushButton[primary="true"]:disabled {{
        background: {css(blend(ACCENT, palette.color(QPalette.ColorRole.Window), 0.6))};
        color: {css(blend(ON_ACCENT, palette.color(QPalette.ColorRole.Window), 0.5))};
        border-color: transparent;
    }}
    QProgressBar {{
        background: {css(line)};
        border: none;
        border-radius: 3px;
        max-height: 6px;
        min-height: 6px;
    }}
    QProgressBar::chunk {{ background: {css(ACCENT)}; border-radius: 3px; }}
    """
