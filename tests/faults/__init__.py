"""Fault injection and fuzz tests: the app under a hostile or failing service and input."""
