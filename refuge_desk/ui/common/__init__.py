"""Widgets and seams every screen uses: the dialogs seam, forms, style, table models, workers."""
