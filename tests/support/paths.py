"""Where the shared test material lives: ``../shared`` beside the checkout (as in CI)."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_DIR = Path(os.environ.get("CAPTION_APP_SHARED_DIR", REPO_ROOT.parent / "shared"))
AUDIO_DIR = SHARED_DIR / "audio"
