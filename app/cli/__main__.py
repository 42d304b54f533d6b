"""``python -m app.cli``: the ``motcua`` command."""

from app.cli.runner import main

raise SystemExit(main())
