"""The optguide command: happy paths, and one-line errors with exit status 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from optguide.cli import main


def run_cli(*args: str, env_data=None, monkeypatch=None) -> tuple[int, str, str]:
    proc = subprocess.run([sys.executable, "-m", "optguide", *args], capture_output=True,
                          text=True)
    return proc.returncode, proc.stdout, proc.stderr


def assert_one_line_error(capsys, code: int, fragment: str) -> None:
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("optguide: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    assert fragment in err, err


@pytest.fixture
def data_env(fake_mnist_dir, isolated_cache, monkeypatch):
    monkeypatch.setenv("OPTGUIDE_DATA_DIR", str(fake_mnist_dir))
    return fake_mnist_dir


def test_compare_table_plot(data_env, tmp_path, capsys):
    out = tmp_path / "r.json"
    code = main(["compare", "--optimizers", "sgd,adam", "--preset", "keras", "--epochs", "1",
                 "--seeds", "0,1", "--validation-size", "100", "--out", str(out), "--quiet"])
    assert code == 0
    table = capsys.readouterr().out
    assert "| SGD | Keras |" in table and "| Adam | Keras |" in table
    payload = json.loads(out.read_text())
    assert payload["schema"] == 2 and len(payload["runs"]) == 4

    assert main(["compare", "--optimizers", "sgd,adam", "--preset", "keras", "--epochs", "1",
                 "--seeds", "0,1", "--validation-size", "100", "--out", str(out)]) == 0
    assert "results read from cache" in capsys.readouterr().err

    assert main(["table", str(out), "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("optimizer,preset")
    png = tmp_path / "c.png"
    assert main(["plot", str(out), "--out", str(png), "--x", "seconds"]) == 0
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_data_command_reports_location(data_env, capsys):
    assert main(["data"]) == 0
    out = capsys.readouterr().out
    assert str(data_env / "MNIST" / "raw") in out and "512" in out


@pytest.mark.parametrize("args,fragment", [
    (["compare", "--optimizers", "adamw"], "unknown optimizer 'adamw'"),
    (["compare", "--preset", "jax"], "unknown preset 'jax'"),
    (["compare", "--epochs", "0"], "epochs must be"),
    (["compare", "--batch-size", "0"], "batch size must be"),
    (["compare", "--batch-size", "big"], "expected an integer or 'full'"),
    (["compare", "--seeds", "a,b"], "comma-separated ints"),
    (["compare", "--lr", "-1"], "learning rates must be positive"),
    (["compare", "--validation-size", "0"], "validation size must be"),
    (["compare", "--schedule", "linear"], "unknown schedule 'linear'"),
    (["compare", "--eval-every", "0"], "eval_every must be"),
    (["compare", "--epochs", "1", "--quiet"], "leaves no training images"),
    (["compare", "--out", "/nonexistent-dir/r.json"], "does not exist"),
    (["compare", "--workers", "0"], "workers must be an integer >= 1"),
    (["compare", "--backend", "spark"], "unknown backend 'spark'"),
    (["table", "/nonexistent.json"], "cannot read results file"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_input_is_one_line_exit_2(args, fragment, data_env, capsys):
    assert_one_line_error(capsys, main(args), fragment)


def test_ray_backend_without_ray_is_one_line(data_env, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "ray", None)
    code = main(["compare", "--backend", "ray", "--epochs", "1", "--out", str(tmp_path / "r.json")])
    assert_one_line_error(capsys, code, "pip install 'optguide[ray]'")


def test_corrupt_results_file(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": 2, "config": {}, "environment": {}, "runs": [{"optimizer": 1}]}')
    assert_one_line_error(capsys, main(["table", str(bad)]), "runs[0]")
    bad.write_text("not json")
    assert_one_line_error(capsys, main(["plot", str(bad)]), "not valid JSON")


def test_unwritable_output(data_env, tmp_path, capsys):
    folder = tmp_path / "dir.json"
    folder.mkdir()
    assert_one_line_error(capsys, main(["compare", "--epochs", "1", "--out", str(folder)]),
                          "is a directory")


def test_missing_data_is_one_line(tmp_path, isolated_cache, monkeypatch, capsys):
    monkeypatch.setenv("OPTGUIDE_DATA_DIR", str(tmp_path / "empty"))
    assert_one_line_error(capsys, main(["compare", "--epochs", "1", "--quiet",
                                        "--out", str(tmp_path / "r.json")]), "MNIST not found")
    assert_one_line_error(capsys, main(["data"]), "t10k-labels-idx1-ubyte")


def test_corrupt_data_is_one_line(data_env, tmp_path, capsys):
    images = data_env / "MNIST" / "raw" / "train-images-idx3-ubyte"
    images.write_bytes(images.read_bytes()[:1000])
    assert_one_line_error(capsys, main(["data"]), "truncated or corrupt")


def test_console_script_entry_point_runs(tmp_path):
    code, out, err = run_cli("--help")
    assert code == 0 and "compare" in out
    code, out, err = run_cli("table", str(tmp_path / "missing.json"))
    assert code == 2 and err.startswith("optguide: error:") and "Traceback" not in err


def test_every_option_default_and_help_comes_from_the_one_declaration():
    """Issue 21 (2): a parameter's default and bounds are declared once (config.PARAMETERS)
    and the command line reads them from there."""
    import dataclasses

    from optguide import cli
    from optguide.config import PARAMETERS, Config

    parser = cli.build_parser()
    args = parser.parse_args(["compare"])
    fields = {f.name: f.default for f in dataclasses.fields(Config)}
    for name, parameter in PARAMETERS.items():
        assert getattr(args, name) == parameter.default == fields[name], name
    for name in ("optimizers", "presets", "seeds"):
        assert getattr(args, name) == fields[name], name
    compare = next(a for a in parser._subparsers._group_actions[0].choices["compare"]._actions
                   if a.dest == "epochs")
    assert compare.help == PARAMETERS["epochs"].describe()
    assert "at most 10,000" in compare.help


def test_a_parameter_checks_its_own_bounds():
    from optguide.config import PARAMETERS

    assert PARAMETERS["epochs"].problem(0).startswith("epochs must be an integer >= 1")
    assert PARAMETERS["epochs"].problem(10**400).startswith("epochs must be at most 10,000")
    assert PARAMETERS["epochs"].problem(True) is not None  # a flag is not a number
    assert PARAMETERS["batch_size"].problem(None) is None  # full batch
    assert PARAMETERS["validation_size"].problem(None) == "validation size must be given"
    assert PARAMETERS["eval_every"].problem(float("nan")) is not None
    assert PARAMETERS["eval_every"].problem(1) is None
    assert "choose from mlp, cnn" in PARAMETERS["model"].problem("resnet")
    assert "cuda:N" in PARAMETERS["device"].problem("tpu")
