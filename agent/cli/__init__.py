"""The `agent` command: every argparse parser and the settings each subcommand takes.

Nothing else in the package imports this one; it imports the rest lazily, per subcommand.
"""

from agent.cli.app import entry, main

__all__ = ["entry", "main"]
