"""The residents list, her record and its parts, its history, imports, rooms."""
