"""Argument types shared by the ``replica`` subcommands (argparse ``type=`` callables)."""

from __future__ import annotations

import argparse


def parse_float(text: str) -> float:
    """A float, or an argparse error that quotes the text."""
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


def parse_int(text: str) -> int:
    """An int, or an argparse error that quotes the text."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
