"""The sync indicator of the status bar, the sync centre and the background sync worker."""
