"""Serving GPT Lab past one machine: several app replicas behind nginx (see replicas.py and the README)."""
