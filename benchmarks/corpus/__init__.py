"""The local engine's benchmark corpus: five minutes of continuous speech with known words and
the time each one ends (``build.py`` makes it; ``meeting.txt`` is what the synthetic voice
reads)."""
