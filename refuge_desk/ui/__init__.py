"""Widgets, dialogs and table models. Calls services, never SQL."""
