"""scanning layer."""
