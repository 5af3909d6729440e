"""``python -m caption_app`` behaves exactly like the ``caption-app`` command."""

import sys

from caption_app.cli import main

sys.exit(main())
