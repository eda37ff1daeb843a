"""Subcommands of the ``assist`` console script, one module each."""
