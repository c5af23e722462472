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


def main(argv: list[str] | None = None) -> int:
    """Run `sandbox` with `argv` (default: the command line); the exit code. A bad option or
    argument is one `error:` line and exit code 2, like every other bad input."""
    from sandbox.cli_support import say_error

    try:
        code = app(args=argv, prog_name="sandbox", standalone_mode=False)
    except typer.Abort:
        return 130
    except Exception as exc:
        # click's exceptions (typer may vendor its own click): a message and an exit code
        if not (hasattr(exc, "format_message") and hasattr(exc, "exit_code")):
            raise
        if type(exc).__name__ == "NoArgsIsHelpError":
            print(exc.format_message())  # no arguments: the help
            return 0
        ctx = getattr(exc, "ctx", None)
        where = ctx.command_path if ctx is not None else "sandbox"
        hint = f" (see {where} --help)" if hasattr(exc, "ctx") else ""
        say_error(f"{where}: {exc.format_message()}{hint}")
        return exc.exit_code
    return code if isinstance(code, int) else 0


def run() -> None:
    """The console script: exit with main()'s code."""
    sys.exit(main())


if __name__ == "__main__":
    run()
