"""Exercises: declared as data, graded by checkers; code answers run in a sandbox (sandbox.py)."""
