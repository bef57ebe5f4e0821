"""Printable PDFs made in memory: never a temp file, never a name in the metadata."""
