"""Domain types and rules in plain Python: no Qt, no SQLAlchemy, no I/O."""
