"""``python -m adbib``: the same command line as ``adbib``."""

from adbib.cli import main

if __name__ == "__main__":
    main()
