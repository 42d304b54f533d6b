"""The dossier actions after reception in the main window: the button row and their dialogs."""
