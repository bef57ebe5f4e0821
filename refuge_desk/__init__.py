"""Refuge Desk: offline, encrypted records and safety plans for women's refuges."""

__version__ = "0.1.0"
APP_NAME = "Refuge Desk"
