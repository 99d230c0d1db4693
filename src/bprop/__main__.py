"""``python -m bprop`` is the ``bprop`` command."""

import sys

from bprop.cli import main

sys.exit(main())
