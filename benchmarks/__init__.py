"""Speed and memory figures of MotCua Desk (``python -m benchmarks``), kept out of the test suite."""
