"""A seed out of range is one message and exit 2 in the CLI, as in the dashboard (issue #10, item 6)."""

from typer.testing import CliRunner

from sandbox.cli import app


def test_negative_or_overflowing_seed_is_one_line_and_exit_2(tmp_path):
    runner = CliRunner()
    r = runner.invoke(app, ["run", "base", "--seed", "-1", "--days", "1", "--residents", "200", "--out", str(tmp_path / "a")])
    assert r.exit_code == 2 and r.output.strip() == "error: --seed -1: must be a whole number from 0 to 9223372036854775807"
    r = runner.invoke(app, ["compare", "base", "vertical_grid", "-r", "3", "--seed", str(2**63 - 2), "--days", "1",
                            "--residents", "200", "--out", str(tmp_path / "b")])
    assert r.exit_code == 2
    assert r.output.strip() == (f"error: --seed {2**63 - 2} with --replications 3: replication i uses seed + i, "
                                f"and the last, {2**63}, is over {2**63 - 1}")
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
