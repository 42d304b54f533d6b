"""Administration screens: sign-in, the recovery secret, diagnostics and backups from the main window."""
