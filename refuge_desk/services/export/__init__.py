"""Encrypted exports: backups (age, to the organisation's backup key), verify and restore."""
