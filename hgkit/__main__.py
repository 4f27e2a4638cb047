"""``python -m hgkit``: the same as the ``hgkit`` console script."""

from hgkit.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
