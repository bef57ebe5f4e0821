"""Funder statistics on screen: table, chart (small counts charted as 0), Save CSV."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate

from refuge_desk.domain.residents import Resident
from refuge_desk.services import residents
from refuge_desk.ui.admin.stats_dialog import StatsDialog
from refuge_desk.ui.common.dialogs import ScriptedDialogs
from tests.ui.shell.test_main_window import make_window


def test_table_chart_and_csv(qtbot, manager_session, tmp_path: Path):
    for i in range(6):
        residents.save(
            manager_session,
            Resident(
                full_name=f"Ana {i}",
                referral_date=dt.date(2026, 5, 1),
                referral_outcome="accepted",
                languages="Romanian",
                arrival_date=dt.date(2026, 5, 3),
            ),
        )
    residents.save(
        manager_session,
        Resident(
            full_name="Bo",
            referral_date=dt.date(2026, 5, 2),
            referral_outcome="declined",
            decline_reason="no_space",
        ),
    )
    out = tmp_path / "usb"
    out.mkdir()
    dialog = StatsDialog(manager_session, ScriptedDialogs(str(out / "stats")))
    qtbot.addWidget(dialog)
    dialog.start.setDate(QDate(2026, 4, 1))
    dialog.end.setDate(QDate(2026, 11, 24))
    rows = {
        (dialog.table.item(r, 0).text(), dialog.table.item(r, 1).text()): dialog.table.item(
            r, 2
        ).text()
        for r in range(dialog.table.rowCount())
    }
    assert rows[("Referrals", "Received")] == "7"
    assert rows[("Referrals", "Declined")] == "<5"
    values = dict(dialog.chart_values())
    assert values["Accepted"] == 6 and values["Declined"] == 0  # <5 is never drawn as 1
    assert dialog.chart.series()[0].barSets()[0].count() == len(values)
    dialog.group.setCurrentText("First language")
    assert dict(dialog.chart_values()) == {"Romanian": 6}
    assert dialog.save_csv()
    assert "Referrals,Declined,<5" in (out / "stats.csv").read_bytes().decode("utf-8-sig")


def test_only_managers_see_the_action(qtbot, manager_session, vault_dir, clock):
    window = make_window(qtbot, vault_dir, clock)
    window.start_session(manager_session)
    assert window.acts.stats.isVisible()
    window.shutdown()
