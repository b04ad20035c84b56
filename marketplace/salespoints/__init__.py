"""OCOP sales points: the office runs them, their staff receive goods and sell at the counter."""
