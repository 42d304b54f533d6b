"""Reference provincial server."""
