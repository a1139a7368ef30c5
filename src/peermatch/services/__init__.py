"""Domain operations: plain functions that take a session, flush, and never commit.

The request (or CLI command) boundary commits once, so a failure half-way saves nothing.
"""
