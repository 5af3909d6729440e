"""The transcript view: the session's lines as text, find, and what screen readers hear."""
