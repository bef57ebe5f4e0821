"""Backups, restore, the recovery sheet, transfers and subject access requests."""
