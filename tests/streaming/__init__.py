"""Tests of the streaming engine and its local test double."""
