"""The matching engine: scores and assignments on plain arrays, with no database access.

Kept apart from Django so the benchmarks and property tests exercise exactly the code the rounds run.
"""
