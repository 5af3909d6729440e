"""``python -m caption_app`` behaves exactly like the ``caption-app`` command."""

import sys

from caption_app.cli import main

if __name__ == "__main__":  # the local engine's child process imports this module too
    sys.exit(main())
