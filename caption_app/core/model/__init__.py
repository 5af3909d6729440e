"""The domain model every part of the app shares: turns, words, gaps, problems, session events.

It sits at the bottom of the layers (see the import-linter contracts in ``pyproject.toml``): it
imports nothing else of ``caption_app``, and engines, streaming, the transcript, the Qt adapters
and the widgets all speak in its terms.
"""
