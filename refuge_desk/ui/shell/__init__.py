"""The main window and what frames every screen: sign-in, set-up, lock, quick hide."""
