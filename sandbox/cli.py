"""The `sandbox` command. Subcommands are registered through the `sandbox.commands` entry-point
group (see pyproject.toml), so this module imports none of them and none imports it back."""

from __future__ import annotations

import sys
from importlib.metadata import entry_points

import typer

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, no_args_is_help=True,
                  help="Grassroots governance sandbox (基层治理政策沙盘).")

# the order commands are listed in `sandbox --help`; other registered groups follow by name
ORDER = ("scenarios", "experiments", "calibration", "dashboard")


def register_commands(target: typer.Typer) -> None:
    """Call every `sandbox.commands` entry point's `register(app)`."""
    eps = {ep.name: ep for ep in entry_points(group="sandbox.commands")}
    for name in sorted(eps, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n)):
        eps[name].load()(target)


register_commands(app)


def main() -> None:
    app(prog_name="sandbox")


if __name__ == "__main__":
    sys.exit(main())
