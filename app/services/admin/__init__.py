"""Administration: accounts, keys, backups, set-up and diagnostics of the station."""
