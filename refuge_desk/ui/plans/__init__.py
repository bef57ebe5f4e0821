"""Safety plans: the editor, its fields, printing, reviews."""
