"""Entry point of the frozen ``motcua`` (the command line, the same commands as the installed one)."""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
