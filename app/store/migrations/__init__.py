"""Alembic migrations of the store (run by ``Database.open(migrate=True)``; see ``app.store.migrate``)."""
