"""The main window and what hangs off it: menus, status line, notices, tray, transcript actions."""
