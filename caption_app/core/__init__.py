"""The Qt-free core: audio, streaming session logic, transcript model, exporters, settings.

Nothing under this package may import PySide6 (an import-linter contract enforces it), so the
same code drives the GUI, the headless command line and the tests.
"""
