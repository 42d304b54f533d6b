"""The station set-up wizard: shown on the first start, re-runnable from the Quản trị menu."""
