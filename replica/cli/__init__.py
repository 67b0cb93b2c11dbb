"""The ``replica`` command: a thin layer over the public API.

One module per command family, each adding its parsers to the command's subparsers:

- :mod:`.theory`: ``gardner``, ``capacity``, ``committee``, ``franz-parisi``, ``local-entropy``
- :mod:`.robustness`: ``robustness``
- :mod:`.sample`: ``sample instance|count|histogram|bp``
- :mod:`.solve`: ``solve --algorithm NAME``

and :mod:`.common` for what they share.  Imports go from this module to the command
modules and from those to :mod:`.common` only.

Bad input gives one readable line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
import warnings

from .. import __version__
from ..errors import ConvergenceWarning
from .common import Parser, UsageError
from .robustness import add_robustness_parser
from .sample import add_sample_parser
from .solve import add_solve_parser
from .theory import add_theory_parsers

__all__ = ["main", "main_exit"]


def _parser() -> argparse.ArgumentParser:
    p = Parser(prog="replica", description="Replica theory of learning with binary synapses.")
    p.add_argument("--version", action="version", version=f"replica {__version__}")
    sub = p.add_subparsers(dest="command", parser_class=Parser, required=True, metavar="COMMAND")
    add_theory_parsers(sub)  # replica gardner|capacity|committee|franz-parisi|local-entropy ...
    add_robustness_parser(sub)  # replica robustness --alpha A --delta D ... | --noise S ...
    add_sample_parser(sub)  # replica sample instance|count|histogram|bp
    add_solve_parser(sub)  # replica solve --algorithm NAME ...
    return p


def main(argv=None) -> int:
    """Run the ``replica`` command.

    Parameters
    ----------
    argv : list of str, optional
        The arguments after ``replica`` (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit code: 0 ok, 1 not converged (or not solved), 2 bad input (one line on stderr).
    """
    try:
        args = _parser().parse_args(argv)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # reported in the output
            return args.run(args)
    except UsageError as e:
        print(str(e), file=sys.stderr)
        return 2
    except ValueError as e:
        print(f"replica: error: {e}", file=sys.stderr)
        return 2


def main_exit() -> None:
    """Console-script wrapper: exit with :func:`main`'s code."""
    sys.exit(main())
