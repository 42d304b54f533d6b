"""Entry point of the frozen ``motcua-desk`` (the window; ``--version``, ``--self-test``)."""

import sys

from app.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
