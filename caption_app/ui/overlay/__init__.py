"""The caption overlay: the always-on-top window, how it draws lines, where it sits, its keys."""
