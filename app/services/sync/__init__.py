"""Sync with the provincial system: the transactional outbox, the database side of a sync run and the runs
the UI and CLI start."""
