"""Thin Qt adapters over the core: worker threads, signal bridges, the QSettings store."""
