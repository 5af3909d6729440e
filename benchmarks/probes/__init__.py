"""Child processes the benchmarks start and time from outside."""
