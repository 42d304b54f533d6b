"""Setting a station up: the first-run wizard's answers checked and stored in one go, and its
scanner check."""
