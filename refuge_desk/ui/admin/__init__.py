"""Managers' screens: staff, settings, audit log, retention, statistics."""
