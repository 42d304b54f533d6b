"""MotCua Desk: the one-stop-shop counter application (Bộ phận Một cửa)."""

__version__ = "0.1.0"
