"""Administration of a station: officers and permissions, the audit log, backups, the data folder's keys,
first-run set-up, verification, diagnostics and the log."""
