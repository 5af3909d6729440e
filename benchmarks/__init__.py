"""The budgets of issue 16, measured: ``scripts/bench`` (``python -m benchmarks``)."""
