"""The one error type for bad user input: its message is shown as is, exit code 2."""


class InputError(Exception):
    """Bad scenario file, CLI argument, sweep definition or dashboard value."""

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""
