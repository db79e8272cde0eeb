"""Experiments: arms of a programme compared on survey answers and results (issue 13)."""
