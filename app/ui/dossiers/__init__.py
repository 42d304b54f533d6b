"""The dossier list of the main window: its lazily loaded model, filters and the detail pane."""
