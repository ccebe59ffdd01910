"""Raises SystemExit while loading."""

import sys

sys.exit(0)
