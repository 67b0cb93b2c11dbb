"""``python -m replica``: the command-line interface."""

from .cli import main_exit

main_exit()
