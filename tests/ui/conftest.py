"""The UI tests run with the bundled fonts registered, as the app does at start."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from refuge_desk.ui.common import fonts


@pytest.fixture(scope="session")
def qapp(qapp: QApplication) -> QApplication:
    """pytest-qt's application, with the fallback chain app.run_gui installs."""
    fonts.install(qapp)
    return qapp
