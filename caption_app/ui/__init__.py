"""Widgets: the main window, caption overlay, transcript view, dialogs and tray."""
