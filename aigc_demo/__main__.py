"""Entry point for ``python -m aigc_demo``."""

import sys

from aigc_demo.cli import main

sys.exit(main())
