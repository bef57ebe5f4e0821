"""A calm, readable look used app-wide: soft background, one accent, clear warnings."""

from __future__ import annotations

BACKGROUND = "#f6f5f2"
SURFACE = "#ffffff"
TEXT = "#1f2328"
MUTED = "#5b6169"
BORDER = "#cfd3d8"
ACCENT = "#2f6b6f"  # muted teal
ACCENT_DARK = "#24575a"
ACCENT_SOFT = "#dcebea"
DANGER = "#b3261e"
DANGER_SOFT = "#fbe9e7"
WARNING_SOFT = "#fff4d6"
RESTRICTED = "#7a4b00"
DISABLED = "#e8e8e6"  # a disabled button: flat grey, dashed edge, grey words

APP_STYLE: str = f"""
QWidget {{
    color: {TEXT};
    font-size: 10pt;
    selection-background-color: {ACCENT};
    selection-color: white;
}}
QMainWindow, QDialog, QTabWidget::pane {{
    background: {BACKGROUND};
}}
QLineEdit, QPlainTextEdit, QTextEdit {{
    background: {SURFACE};
    border: 1px solid {BORDER};
    border-radius: 4px;
    padding: 3px 5px;
    selection-background-color: {ACCENT};
}}
QLineEdit:focus, QPlainTextEdit:focus {{
    border: 1px solid {ACCENT};
}}
QLineEdit:disabled, QPlainTextEdit:disabled {{
    background: #eeeeec;
    color: {MUTED};
}}
QDateEdit:disabled, QComboBox:disabled {{
    color: {MUTED};
}}
QPushButton {{
    background: {SURFACE};
    border: 1px solid {BORDER};
    border-radius: 4px;
    padding: 5px 12px;
}}
QPushButton:hover {{
    border-color: {ACCENT};
}}
QPushButton:checked {{
    background: {ACCENT_SOFT};
    border-color: {ACCENT};
}}
QPushButton#primary {{
    background: {ACCENT};
    border-color: {ACCENT_DARK};
    color: white;
    font-weight: bold;
}}
QPushButton#primary:hover {{
    background: {ACCENT_DARK};
    color: white;
}}
QPushButton:disabled, QPushButton#primary:disabled {{
    color: {MUTED};
    background: {DISABLED};
    border: 1px dashed {MUTED};
    font-weight: normal;
}}
QAbstractSpinBox {{
    min-height: 26px;
    padding-right: 22px;
}}
QAbstractSpinBox::up-button, QAbstractSpinBox::down-button {{
    width: 22px;
}}
QTableView {{
    background: {SURFACE};
    alternate-background-color: #f3f6f6;
    gridline-color: #e4e6e8;
    border: 1px solid {BORDER};
    selection-background-color: {ACCENT_SOFT};
    selection-color: {TEXT};
}}
QHeaderView::section {{
    background: #eceeed;
    border: none;
    border-right: 1px solid {BORDER};
    border-bottom: 1px solid {BORDER};
    padding: 4px 6px;
    font-weight: bold;
}}
QTabWidget::pane {{
    border: 1px solid {BORDER};
    top: -1px;
}}
QTabBar::tab {{
    background: #e8eae9;
    border: 1px solid {BORDER};
    border-bottom: none;
    border-top-left-radius: 4px;
    border-top-right-radius: 4px;
    padding: 6px 14px;
    margin-right: 2px;
}}
QTabBar::tab:selected {{
    background: {BACKGROUND};
    border-top: 2px solid {ACCENT};
    font-weight: bold;
}}
QGroupBox {{
    border: 1px solid {BORDER};
    border-radius: 5px;
    margin-top: 12px;
    padding-top: 6px;
    background: {SURFACE};
}}
QGroupBox::title {{
    subcontrol-origin: margin;
    left: 8px;
    padding: 0 4px;
    font-weight: bold;
}}
QLabel#error_box {{
    background: {DANGER_SOFT};
    border: 1px solid {DANGER};
    border-radius: 4px;
    color: {DANGER};
    padding: 6px 8px;
}}
QLabel#warning {{
    background: {WARNING_SOFT};
    border: 1px solid #e0c068;
    border-radius: 4px;
    padding: 5px 8px;
}}
QLabel#danger_note {{
    color: {DANGER};
    font-weight: bold;
}}
QLabel#restricted {{
    color: {RESTRICTED};
    background: {WARNING_SOFT};
    border: 1px solid #e0c068;
    border-radius: 3px;
    padding: 0 4px;
    font-size: 8pt;
}}
QLabel#muted {{
    color: {MUTED};
}}
QLabel#heading {{
    font-size: 13pt;
    font-weight: bold;
}}
QFrame#rota_card {{
    background: {SURFACE};
    border: 1px solid {BORDER};
    border-radius: 6px;
}}
"""
