"""Session → History: the table of past sessions and what can be done to them."""
