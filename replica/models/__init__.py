"""Theories: one module per family of free entropies."""
