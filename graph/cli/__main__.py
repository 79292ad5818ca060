"""``python -m greenplan.cli``: the greenplan command."""
import sys

from greenplan.cli.main import main

sys.exit(main())
