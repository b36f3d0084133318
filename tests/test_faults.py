"""Bad input and faults (issue 11): every case ends in one line and loses or reuses nothing.

Tiny generated MNIST (64 + 32 images), one optimizer, one epoch. Device cases use FIFOs and
device nodes created in a temporary folder, never the system's. Permission cases that root
bypasses are provoked by raising ``PermissionError`` where the code reads or writes, and the
real ``chmod`` variant runs only when not root.
"""

from __future__ import annotations

import csv
import errno
import gzip
import io
import json
import os
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from conftest import make_fake_mnist, write_idx

from optguide import cache as cache_module
from optguide import data as data_module
from optguide import results as results_module
from optguide.cache import cache_path
from optguide.cli import main
from optguide.compare import Config, ConfigError, compare
from optguide.executor import Placement

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
BASE = ["compare", "--optimizers", "sgd", "--epochs", "1", "--batch-size", "32",
        "--validation-size", "16", "--device", "cpu", "--quiet"]
CONFIG = Config(optimizers=("sgd",), epochs=1, batch_size=32, validation_size=16, device="cpu")


# ---------------------------------------------------------------- helpers and fixtures
@pytest.fixture
def env(tmp_path, monkeypatch):
    """Tiny generated MNIST, a private cache and temporary folder, no memory override."""
    root = make_fake_mnist(tmp_path / "data", n_train=64, n_test=32)
    (tmp_path / "temp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temp"))
    monkeypatch.setenv("OPTGUIDE_DATA_DIR", str(root))
    monkeypatch.setenv("OPTGUIDE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("OPTGUIDE_MEMORY_LIMIT", raising=False)
    return SimpleNamespace(root=root, raw=root / "MNIST" / "raw", cache=tmp_path / "cache",
                           tmp=tmp_path, temp=tmp_path / "temp")


def compare_cli(out: Path, *extra: str) -> int:
    return main([*BASE, "--out", str(out), *extra])


def one_line(capsys, code: int, fragment: str, kind: str = "error", status: int = 2) -> str:
    """Assert exit ``status`` and exactly one stderr line ``optguide: <kind>: ...fragment...``."""
    err = capsys.readouterr().err
    assert code == status, err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"optguide: {kind}: "), err
    assert fragment in err, err
    return err


def valid_results(path: Path) -> dict:
    payload = json.loads(path.read_text())
    assert payload["schema"] == results_module.SCHEMA_VERSION and payload["runs"]
    return payload


def no_temporaries(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def without_seconds(payload: dict) -> list:
    return [{**run, "history": [{k: v for k, v in e.items() if k != "seconds"}
                                for e in run["history"]]} for run in payload["runs"]]


def results_payload(hyperparameters=None, **run) -> dict:
    entry = {"optimizer": "sgd", "preset": "pytorch", "seed": 0,
             "hyperparameters": {"lr": 0.1, "momentum": 0.0} if hyperparameters is None
             else hyperparameters, "status": "ok", "diverged_epoch": None,
             "history": [{"epoch": 1, "train_loss": 1.0, "val_loss": 0.95, "val_accuracy": 0.75,
                          "test_loss": 0.9, "test_accuracy": 0.8, "seconds": 0.5}]}
    entry.update(run)
    return {"schema": results_module.SCHEMA_VERSION, "config": {"epochs": 1},
            "environment": {}, "runs": [entry]}


class FifoReader:
    """Reads a FIFO in a thread (a writer blocks until a reader opens it)."""

    def __init__(self, path: Path) -> None:
        os.mkfifo(path)
        self.path, self.data = path, None
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        with open(self.path, "rb") as stream:
            self.data = stream.read()

    def finish(self) -> bytes | None:
        if self.thread.is_alive():  # nobody wrote: release the reader
            try:
                os.close(os.open(self.path, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:
                pass
        self.thread.join(timeout=10)
        return self.data


def fake_device(path: Path, major: int, minor: int) -> Path:
    """A character device node in a temporary folder (root only; skipped where refused)."""
    if not IS_ROOT:
        pytest.skip("creating a device node needs root")
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(major, minor))
        with open(path, "rb"):
            pass
    except OSError as error:
        pytest.skip(f"device nodes cannot be used here ({error.strerror})")
    return path


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


# ---------------------------------------------------------------- A. bad command lines
SEEDS_20001 = ",".join(str(i) for i in range(20_001))


@pytest.mark.parametrize("extra,fragment", [
    (["--epochs", "99999999999999999999"], "epochs must be at most 10,000"),
    (["--epochs", "10001"], "epochs must be at most"),
    (["--epochs", "0"], "epochs must be"),
    (["--epochs", "abc"], "invalid int value"),
    (["--seeds", "2147483648"], "seeds must be below 2**31"),
    (["--seeds", "99999999999999999999999"], "seeds must be below"),
    (["--seeds=-1"], "seeds must be non-negative"),
    (["--seeds", "0,0"], "seeds has duplicates"),
    (["--lr", "inf"], "learning rates must be finite"),
    (["--lr", "1e400"], "learning rates must be finite"),
    (["--lr", "nan"], "learning rates must be"),
    (["--lr=-inf"], "learning rates must be positive"),
    (["--lr", "0.1,0.1"], "learning rates has duplicates"),
    (["--lr", "0.1,1e-1"], "learning rates has duplicates"),
    (["--device", "cuda:abc"], "unknown device 'cuda:abc'"),
    (["--device", "cuda:"], "unknown device"),
    (["--device", "tpu"], "unknown device"),
    (["--train-size", "70000"], "larger than the training set (64 images, 48 after"),
    (["--train-size", "49"], "larger than the training set"),
    (["--validation-size", "64"], "leaves no training images"),
    (["--train-size", "0"], "train size must be"),
    (["--batch-size=-5"], "batch size must be"),
    (["--optimizers", ","], "no optimizers"),
    (["--model", "transformer"], "unknown model"),
    (["--engine", "warp"], "unknown engine"),
    (["--seeds", SEEDS_20001], "split the work"),
])
def test_bad_compare_arguments_are_one_line(extra, fragment, env, capsys, monkeypatch):
    monkeypatch.setenv("OPTGUIDE_MEMORY_LIMIT", "2G")
    out = env.tmp / "r.json"
    one_line(capsys, compare_cli(out, *extra), fragment)
    assert not out.exists() and not env.cache.exists(), "nothing trained, nothing written"


def test_memory_estimate_counts_the_runs_the_executor_holds_at_once():
    from optguide.executor import MAX_CHUNK_RUNS, Placement, plan

    def held(runs, *, batched, workers, seeds=1, examples=50_000):
        specs = Config(seeds=tuple(range(seeds)), learning_rates=tuple(
            0.001 * (k + 1) for k in range(runs // seeds // 5))).run_specs()
        return plan(specs, epochs=5, examples=examples, batched=batched, device="cpu",
                    placement=Placement(workers=workers)).runs_held_at_once()

    assert held(5, batched=True, workers=4) == 5  # one chunk: one worker holds it
    assert held(1_000, batched=True, workers=2, seeds=4) == 2 * MAX_CHUNK_RUNS
    assert held(1_000, batched=False, workers=2, seeds=4) == 2
    assert held(5, batched=True, workers=None, examples=10) == 5  # small work: in process


def test_total_work_is_bounded_in_run_epochs():
    from optguide.limits import MAX_RUN_EPOCHS

    with pytest.raises(ConfigError, match="run-epochs of work, more than"):
        Config(seeds=tuple(range(MAX_RUN_EPOCHS // 5 // 1_000 + 1)), epochs=1_000)


def test_huge_comparisons_are_refused_by_their_size_alone(env, capsys, monkeypatch):
    monkeypatch.setenv("OPTGUIDE_MEMORY_LIMIT", "1T")  # memory is not what stops it
    err = one_line(capsys, compare_cli(env.tmp / "r.json", "--seeds", SEEDS_20001),
                   "more than 10,000")
    assert "20,001 runs" in err and not env.cache.exists()


def test_memory_estimate_names_the_limit(env, capsys, monkeypatch):
    monkeypatch.setenv("OPTGUIDE_MEMORY_LIMIT", "1M")
    err = one_line(capsys, compare_cli(env.tmp / "r.json", "--seeds", "0,1"), "1.0 MiB")
    assert "OPTGUIDE_MEMORY_LIMIT" in err and "fewer seeds" in err
    monkeypatch.setenv("OPTGUIDE_MEMORY_LIMIT", "lots")
    one_line(capsys, compare_cli(env.tmp / "r.json"), "is not a size")


@pytest.mark.parametrize("make_out,fragment", [
    (lambda tmp: tmp / ("x" * 300 + ".json"), "File name too long"),
    (lambda tmp: tmp / "missing" / "r.json", "does not exist"),
    (lambda tmp: (tmp / "folder.json").mkdir() or tmp / "folder.json", "is a directory"),
])
def test_bad_out_paths_fail_before_training(make_out, fragment, env, capsys):
    one_line(capsys, compare_cli(make_out(env.tmp)), fragment)
    assert not env.cache.exists()


def test_unwritable_out_is_refused_before_training(env, capsys, monkeypatch):
    out = env.tmp / "r.json"
    out.write_text("keep")
    monkeypatch.setattr("optguide.cli.os.access", lambda path, mode: False)
    one_line(capsys, compare_cli(out), "permission denied")
    assert out.read_text() == "keep"


@pytest.mark.skipif(IS_ROOT, reason="root writes into read-only folders")
def test_read_only_folder_for_out(env, capsys):
    folder = env.tmp / "ro"
    folder.mkdir(mode=0o500)
    one_line(capsys, compare_cli(folder / "r.json"), "permission denied")


def test_ctrl_c_while_torch_is_importing(monkeypatch, capsys):
    def interrupted():  # build_parser is where torch is first imported
        raise KeyboardInterrupt

    monkeypatch.setattr("optguide.cli.build_parser", interrupted)
    assert main(["compare"]) == 130
    assert capsys.readouterr().err == "optguide: interrupted\n"


# ---------------------------------------------------------------- B. where the output goes
@pytest.mark.parametrize("mode", [0o600, 0o644, 0o664, 0o640])
def test_existing_out_file_keeps_its_mode(mode, env, capsys):
    out = env.tmp / "r.json"
    out.write_text("old")
    out.chmod(mode)
    assert compare_cli(out) == 0
    valid_results(out)
    assert stat.S_IMODE(out.stat().st_mode) == mode and no_temporaries(env.tmp)


@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o077, 0o600), (0o027, 0o640)])
def test_new_out_file_gets_the_umask_mode(umask, mode, env, capsys):
    out = env.tmp / "r.json"
    previous = os.umask(umask)
    try:
        assert compare_cli(out) == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE(out.stat().st_mode) == mode


@pytest.mark.parametrize("chain", [1, 2])
def test_symlinked_out_replaces_the_target(chain, env, capsys):
    target = env.tmp / "target.json"
    target.write_text("old")
    link = target
    for i in range(chain):
        link_next = env.tmp / f"link{i}.json"
        link_next.symlink_to(link)
        link = link_next
    assert compare_cli(link) == 0
    assert link.is_symlink() and valid_results(target)


def test_dangling_symlink_out_creates_the_target(env, capsys):
    link = env.tmp / "link.json"
    link.symlink_to(env.tmp / "new.json")
    assert compare_cli(link) == 0
    assert link.is_symlink() and valid_results(env.tmp / "new.json")


def test_symlink_loop_out_is_one_line(env, capsys):
    loop = env.tmp / "loop.json"
    loop.symlink_to(loop)
    one_line(capsys, compare_cli(loop), "cannot write")
    assert loop.is_symlink()


def test_fifo_out_is_written_through(env, capsys):
    reader = FifoReader(env.tmp / "pipe")
    code = compare_cli(reader.path)
    payload = reader.finish()
    assert code == 0 and json.loads(payload)["schema"] == results_module.SCHEMA_VERSION
    assert stat.S_ISFIFO(os.lstat(reader.path).st_mode) and no_temporaries(env.tmp)


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd")
def test_out_through_a_proc_fd_link_reaches_the_pipe(env, capsys):
    read_end, write_end = os.pipe()  # one run's JSON fits in the pipe's buffer
    try:
        code = compare_cli(Path(f"/proc/self/fd/{write_end}"))
    finally:
        os.close(write_end)
    with os.fdopen(read_end, "rb") as stream:
        written = stream.read()
    assert code == 0 and json.loads(written)["runs"]


def test_null_device_out_stays_a_device(env, capsys):
    device = fake_device(env.tmp / "null", 1, 3)
    assert compare_cli(device) == 0
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_full_device_out_is_one_line_and_stays_a_device(env, capsys):
    device = fake_device(env.tmp / "full", 1, 7)
    one_line(capsys, compare_cli(device), "No space left on device")
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_full_disk_keeps_the_old_out_file(env, capsys, monkeypatch):
    out = env.tmp / "r.json"
    out.write_text("previous results")

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(results_module.os, "fsync", full)
    one_line(capsys, compare_cli(out, "--no-cache"), "No space left on device")
    assert out.read_text() == "previous results" and no_temporaries(env.tmp)


def test_killed_write_keeps_the_old_file_and_the_next_run_cleans_up(env, capsys):
    out = env.tmp / "r.json"
    out.write_text("previous results")
    script = ("import os, signal, sys\nfrom optguide.results import write_output\n"
              "def half(stream):\n    stream.write(b'{\"half')\n    stream.flush()\n"
              "    os.kill(os.getpid(), signal.SIGKILL)\n"
              "write_output(sys.argv[1], half)\n")
    proc = subprocess.run([sys.executable, "-c", script, str(out)], capture_output=True)
    assert proc.returncode == -signal.SIGKILL
    assert out.read_text() == "previous results"
    left = [p for p in env.tmp.iterdir() if p.name.endswith(".tmp")]
    assert left, "the killed write left its temporary file"
    assert compare_cli(out) == 0
    assert valid_results(out) and left[0].exists(), "deleted before it is provably stale"
    age(left[0])
    assert compare_cli(out) == 0
    assert valid_results(out) and no_temporaries(env.tmp)


def age(path: Path) -> None:
    """Make ``path`` older than a temporary file may be while its writer could still run."""
    old = time.time() - 2 * results_module.STALE_SECONDS
    os.utime(path, (old, old))


def temporary(folder: Path, name: str, pid: int, namespace: int | None = None) -> Path:
    namespace = results_module._pid_namespace() if namespace is None else namespace
    return folder / f".optguide-{name}.{namespace}-{pid}.abcdefgh.tmp"


def test_stale_temporaries_are_cleaned_but_live_ones_kept(env, capsys):
    out = env.tmp / "r.json"
    dead = temporary(env.tmp, "r.json", dead_pid())
    young = temporary(env.tmp, "r.json", dead_pid())
    live = temporary(env.tmp, "r.json", os.getppid())
    elsewhere = temporary(env.tmp, "r.json", dead_pid(), results_module._pid_namespace() + 1)
    legacy = env.tmp / f".r.json.{dead_pid()}.zyxwvuts.tmp"  # not this program's prefix
    other = env.tmp / ".notes.txt.zyxwvuts.tmp"
    for path in (dead, young, live, elsewhere, legacy, other):
        path.write_text("x")
    young.with_name(young.name.replace("abcdefgh", "abcdefgi")).write_text("x")
    for path in (dead, live, elsewhere, legacy, other):
        age(path)
    assert compare_cli(out) == 0
    assert not dead.exists()
    assert young.exists() and live.exists() and elsewhere.exists()
    assert legacy.exists() and other.exists()


def test_other_peoples_tmp_files_in_the_cache_are_kept(env, capsys):
    """Issue 19 (5): only this program's own, provably stale temporaries are deleted."""
    env.cache.mkdir()
    stale = temporary(env.cache, "0123456789abcdef01234567.json", dead_pid())
    theirs = [env.cache / f".0123456789abcdef01234567.json.{dead_pid()}.abcdefgh.tmp",
              env.cache / ".session.tmp", env.cache / ".x.1.abcdefgh.tmp"]
    for path in (stale, *theirs):
        path.write_text("half")
        age(path)
    assert compare_cli(env.tmp / "r.json") == 0
    assert not stale.exists() and all(path.exists() for path in theirs)


# plot: same writer
@pytest.fixture
def results_file(tmp_path) -> Path:
    path = tmp_path / "results.json"
    path.write_text(json.dumps(results_payload()))
    return path


def test_plot_full_disk_keeps_the_good_figure(results_file, tmp_path, capsys, monkeypatch):
    import matplotlib.figure

    png = tmp_path / "c.png"
    assert main(["plot", str(results_file), "--out", str(png)]) == 0
    good = png.read_bytes()
    assert good[:4] == b"\x89PNG"

    def full(self, stream, **kwargs):
        stream.write(b"\x89PNG half")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", full)
    capsys.readouterr()
    one_line(capsys, main(["plot", str(results_file), "--out", str(png)]),
             "No space left on device")
    assert png.read_bytes() == good and no_temporaries(tmp_path)


def test_plot_into_fifo_and_symlink(results_file, tmp_path, capsys):
    reader = FifoReader(tmp_path / "pipe.png")
    code = main(["plot", str(results_file), "--out", str(reader.path)])
    assert code == 0 and reader.finish()[:4] == b"\x89PNG"
    target = tmp_path / "real.png"
    target.write_bytes(b"old")
    (tmp_path / "link.png").symlink_to(target)
    assert main(["plot", str(results_file), "--out", str(tmp_path / "link.png")]) == 0
    assert target.read_bytes()[:4] == b"\x89PNG" and (tmp_path / "link.png").is_symlink()


@pytest.mark.parametrize("name,fragment", [
    ("x" * 300 + ".png", "File name too long"),
    ("curves.xyz", "unknown image format 'xyz'"),
    ("no-folder/c.png", "does not exist"),
])
def test_plot_bad_out_is_one_line(name, fragment, results_file, tmp_path, capsys):
    one_line(capsys, main(["plot", str(results_file), "--out", str(tmp_path / name)]), fragment)


# ---------------------------------------------------------------- C. the results cache
def test_cache_is_keyed_on_the_data(tmp_path, isolated_cache):
    small = make_fake_mnist(tmp_path / "small", n_train=64, n_test=32, seed=1)
    other = make_fake_mnist(tmp_path / "other", n_train=64, n_test=32, seed=2)
    assert not compare(CONFIG, placement=Placement(data_root=small)).from_cache
    assert not compare(CONFIG,
                       placement=Placement(data_root=other)).from_cache, "served for other data"
    assert compare(CONFIG, placement=Placement(data_root=small)).from_cache
    copy = make_fake_mnist(tmp_path / "copy", n_train=64, n_test=32, seed=1)
    again = compare(CONFIG, placement=Placement(data_root=copy))
    assert again.from_cache, "same bytes elsewhere: same data"


def test_cache_is_not_served_without_data(tmp_path, isolated_cache):
    root = make_fake_mnist(tmp_path / "d", n_train=64, n_test=32)
    compare(CONFIG, placement=Placement(data_root=root))
    with pytest.raises(data_module.DataError, match="MNIST not found"):
        compare(CONFIG, placement=Placement(data_root=tmp_path / "empty"))


def test_cache_notices_data_edited_in_place(tmp_path, isolated_cache):
    root = make_fake_mnist(tmp_path / "d", n_train=64, n_test=32)
    compare(CONFIG, placement=Placement(data_root=root))
    labels = root / "MNIST" / "raw" / "train-labels-idx1-ubyte"
    blob = bytearray(labels.read_bytes())
    blob[8:] = bytes((b + 1) % 10 for b in blob[8:])
    labels.write_bytes(bytes(blob))
    assert not compare(CONFIG, placement=Placement(data_root=root)).from_cache


def _break_by_other_config(path, root):
    compare(CONFIG.replace(seeds=(1,)), placement=Placement(data_root=root))
    other = cache_path(CONFIG.replace(seeds=(1,)), data_root=root)
    path.write_bytes(other.read_bytes())


def _break_by_editing_numbers(path, root):
    envelope = json.loads(path.read_text())
    envelope["results"]["runs"][0]["history"][0]["test_accuracy"] = 0.999
    path.write_text(json.dumps(envelope))


def _break_by_old_format(path, root):
    path.write_text(json.dumps(json.loads(path.read_text())["results"]))


@pytest.mark.parametrize("damage,fragment", [
    (_break_by_other_config, "stored for another configuration"),
    (_break_by_editing_numbers, "do not match their checksum"),
    (_break_by_old_format, "not a cache file of this version"),
    (lambda path, root: path.write_text("{ not json"), "corrupt"),
    (lambda path, root: path.write_bytes(path.read_bytes()[:100]), "corrupt"),
    (lambda path, root: path.write_bytes(b"\xff\xfe\x00binary"), "corrupt"),
    (lambda path, root: path.write_text("[" * 100_000 + "]" * 100_000), "corrupt"),
])
def test_damaged_cache_file_is_recomputed_with_one_warning(damage, fragment, env, capsys):
    out = env.tmp / "r.json"
    assert compare_cli(out) == 0
    first = valid_results(out)
    path = cache_path(CONFIG, data_root=env.root)
    damage(path, env.root)
    capsys.readouterr()
    code = compare_cli(out)
    one_line(capsys, code, fragment, kind="warning", status=0)
    again = valid_results(out)
    assert without_seconds(again) == without_seconds(first), "recomputed, not the damage"
    assert compare(CONFIG,
                   placement=Placement(data_root=env.root)).from_cache, "the cache was rewritten"


def test_unreadable_cache_entry_warns_and_goes_on(env, capsys):
    cache_path(CONFIG, data_root=env.root).mkdir(parents=True)  # a folder in its place
    out = env.tmp / "r.json"
    assert compare_cli(out) == 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all(line.startswith("optguide: warning: ") for line in err)
    assert "cannot read" in err[0] and "cannot write the results cache" in err[1]
    valid_results(out)


def test_cache_dir_is_a_file(env, capsys, monkeypatch):
    env.cache.write_text("not a folder")
    out = env.tmp / "r.json"
    one_line(capsys, compare_cli(out), "cannot write the results cache", kind="warning",
             status=0)
    valid_results(out)
    assert env.cache.read_text() == "not a folder"


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES, errno.EROFS])
def test_cache_write_failure_keeps_the_results(code, env, capsys, monkeypatch):
    def fail(path, payload, **options):
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(cache_module, "write_json_atomic", fail)
    out = env.tmp / "r.json"
    status = main([*BASE, "--out", str(out)])
    captured = capsys.readouterr()
    assert status == 0 and "| SGD | PyTorch |" in captured.out
    assert "optguide: warning: cannot write the results cache" in captured.err
    assert os.strerror(code) in captured.err and "Traceback" not in captured.err
    valid_results(out)


@pytest.mark.skipif(IS_ROOT, reason="root writes into read-only folders")
def test_read_only_cache_folder(env, capsys):
    env.cache.mkdir(mode=0o500)
    out = env.tmp / "r.json"
    one_line(capsys, compare_cli(out), "Permission denied", kind="warning", status=0)
    valid_results(out)


# ---------------------------------------------------------------- D. broken data folders
def _rewrite(raw, name, array):
    write_idx(raw / name, np.asarray(array, dtype=np.uint8))


def _swap(raw):
    for kind in ("images-idx3", "labels-idx1"):
        train, test = raw / f"train-{kind}-ubyte", raw / f"t10k-{kind}-ubyte"
        train.rename(raw / "tmp")
        test.rename(train)
        (raw / "tmp").rename(test)


def _replace_by_folder(raw):
    (raw / "t10k-labels-idx1-ubyte").unlink()
    (raw / "t10k-labels-idx1-ubyte").mkdir()


BREAKERS = {
    "zero images in header": (lambda raw: (_rewrite(raw, "train-images-idx3-ubyte",
                                                    np.zeros((0, 28, 28))),
                                           _rewrite(raw, "train-labels-idx1-ubyte",
                                                    np.zeros(0))), "holds 0 items"),
    "train and test swapped": (_swap, "look swapped"),
    "truncated": (lambda raw: (raw / "train-images-idx3-ubyte").write_bytes(
        (raw / "train-images-idx3-ubyte").read_bytes()[:5000]), "truncated or corrupt"),
    "padded": (lambda raw: (raw / "t10k-images-idx3-ubyte").write_bytes(
        (raw / "t10k-images-idx3-ubyte").read_bytes() + b"\0" * 7), "truncated or corrupt"),
    "empty file": (lambda raw: (raw / "t10k-labels-idx1-ubyte").write_bytes(b""), "truncated"),
    "gzipped": (lambda raw: (raw / "train-labels-idx1-ubyte").write_bytes(gzip.compress(
        (raw / "train-labels-idx1-ubyte").read_bytes())), "gzipped or corrupt"),
    "labels in the images file": (lambda raw: (raw / "t10k-images-idx3-ubyte").write_bytes(
        (raw / "t10k-labels-idx1-ubyte").read_bytes()), "not an IDX file"),
    "labels do not match images": (lambda raw: _rewrite(raw, "train-labels-idx1-ubyte",
                                                        np.zeros(10)), "do not belong together"),
    "not 28x28": (lambda raw: _rewrite(raw, "train-images-idx3-ubyte",
                                       np.zeros((64, 32, 32))), "not 28x28"),
    "labels outside 0-9": (lambda raw: _rewrite(raw, "t10k-labels-idx1-ubyte",
                                                np.full(32, 200)), "labels outside 0-9"),
    "a file missing": (lambda raw: (raw / "train-images-idx3-ubyte").unlink(),
                       "MNIST not found"),
    "a folder in place of a file": (_replace_by_folder, "MNIST not found"),
}


@pytest.mark.parametrize("breaker", list(BREAKERS))
def test_broken_data_is_one_line(breaker, env, capsys):
    damage, fragment = BREAKERS[breaker]
    damage(env.raw)
    one_line(capsys, main(["data"]), fragment)
    out = env.tmp / "r.json"
    one_line(capsys, compare_cli(out), fragment)
    assert not out.exists()


def test_data_dir_is_a_file(env, capsys, monkeypatch):
    (env.tmp / "file").write_text("x")
    monkeypatch.setenv("OPTGUIDE_DATA_DIR", str(env.tmp / "file"))
    one_line(capsys, main(["data"]), "MNIST not found")


def test_unreadable_data_file_is_one_line(env, capsys, monkeypatch):
    victim = env.raw / "t10k-images-idx3-ubyte"
    real_open = os.open

    def guarded_open(path, *args, **kwargs):
        if Path(path) == victim:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(data_module.os, "open", guarded_open)
    one_line(capsys, main(["data"]), f"cannot read {victim}: permission denied")
    one_line(capsys, compare_cli(env.tmp / "r.json"), "permission denied")


@pytest.mark.skipif(IS_ROOT, reason="root reads files whatever their mode")
def test_unreadable_data_file_by_mode(env, capsys):
    (env.raw / "train-labels-idx1-ubyte").chmod(0)
    one_line(capsys, main(["data"]), "permission denied")


def test_leftover_processed_files_are_ignored(env, capsys):
    processed = env.root / "MNIST" / "processed"
    processed.mkdir()
    blank = (torch.zeros(500, 28, 28, dtype=torch.uint8), torch.full((500,), 3))
    torch.save(blank, processed / "training.pt")
    torch.save(blank, processed / "test.pt")
    mnist = data_module.load_mnist(env.root)
    assert mnist.train_size == 64 and mnist.test_size == 32
    raw_images = np.frombuffer((env.raw / "train-images-idx3-ubyte").read_bytes()[16:], np.uint8)
    assert torch.equal(mnist.train_images.flatten(), torch.from_numpy(raw_images.copy()))
    assert main(["data"]) == 0
    assert "processed" in capsys.readouterr().out


# ---------------------------------------------------------------- E. bad results files
def _raw_text(text):
    return lambda path: path.write_text(text)


def _payload(**changes):
    return lambda path: path.write_text(json.dumps(results_payload(**changes)))


RESULTS_FAULTS = {
    "lr missing": (_payload(hyperparameters={"momentum": 0.0}), "'lr' must be"),
    "lr null": (_payload(hyperparameters={"lr": None}), "'lr' must be"),
    "lr a list": (_payload(hyperparameters={"lr": [0.1]}), "'lr' must be"),
    "lr a string": (_payload(hyperparameters={"lr": "0.1"}), "'lr' must be"),
    "lr a flag": (_payload(hyperparameters={"lr": True}), "'lr' must be"),
    "lr negative": (_payload(hyperparameters={"lr": -0.1}), "'lr' must be"),
    "lr overflowing": (_raw_text(json.dumps(results_payload()).replace('"lr": 0.1',
                                                                      '"lr": 1e999')),
                       "'lr' must be"),
    "lr a huge integer": (_raw_text(json.dumps(results_payload()).replace('"lr": 0.1',
                                                                         '"lr": 1' + "0" * 400)),
                          "'lr' must be"),
    "integer too long to read": (_raw_text(json.dumps(results_payload()).replace(
        '"seed": 0', '"seed": 1' + "0" * 5000)), "is not a results file"),
    "nested hyperparameter": (_payload(hyperparameters={"lr": 0.1, "betas": {"a": 1}}),
                              "'betas' must be"),
    "seed a flag": (_payload(seed=True), "'seed' must be"),
    "seed negative": (_payload(seed=-3), "'seed' must be"),
    "diverged_epoch text": (_payload(diverged_epoch="two"), "'diverged_epoch'"),
    "NaN in history": (_raw_text(json.dumps(results_payload()).replace('"test_loss": 0.9',
                                                                      '"test_loss": NaN')),
                       "NaN"),
    "deeply nested": (_raw_text("[" * 100_000 + "]" * 100_000), "nested too deeply"),
    "binary": (lambda path: path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\x00"), "byte 0 is not text"),
    "empty": (_raw_text(""), "not valid JSON"),
    "a list": (_raw_text("[]"), "not a JSON object"),
    "schema 99": (_raw_text(json.dumps({**results_payload(), "schema": 99})), "schema 99"),
    "status unknown": (_payload(status="exploded"), "status 'exploded'"),
    "a folder": (lambda path: path.mkdir(), "cannot read results file"),
}


def _epoch(**changes) -> dict:
    return {**results_payload()["runs"][0]["history"][0], **changes}


def _copies(n: int):
    def make(path):
        payload = results_payload()
        payload["runs"] *= n
        path.write_text(json.dumps(payload))
    return make


def _config(**config):
    def make(path):
        path.write_text(json.dumps({**results_payload(), "config": config}))
    return make


#: Issue 19 (8): numbers no training produces, and files that would fake evidence.
RESULTS_FAULTS.update({
    "accuracy 7.5": (_payload(history=[_epoch(test_accuracy=7.5)]), "fraction in [0, 1]"),
    "accuracy negative": (_payload(history=[_epoch(val_accuracy=-3)]), "fraction in [0, 1]"),
    "loss negative": (_payload(history=[_epoch(train_loss=-0.5)]), "must not be negative"),
    "seconds negative": (_payload(history=[_epoch(seconds=-1)]), "must not be negative"),
    "trace accuracy 2": (_payload(trace=[{"step": 1, "seconds": 0.1, "val_accuracy": 2}]),
                         "fraction in [0, 1]"),
    "epochs out of order": (_payload(history=[_epoch(epoch=3)]), "'epoch' must be 1"),
    "history shorter than epochs": (_config(epochs=50), "an ok run of 1 epochs"),
    "ok run without history": (_payload(history=[]), "empty history"),
    "four copies of one run": (_copies(4), "repeats runs[0]"),
})


@pytest.mark.parametrize("fault", list(RESULTS_FAULTS))
@pytest.mark.parametrize("command", ["table", "plot"])
def test_bad_results_file_is_one_line_naming_it(fault, command, tmp_path, capsys):
    make, fragment = RESULTS_FAULTS[fault]
    path = tmp_path / "bad.json"
    make(path)
    args = [command, str(path)] + (["--out", str(tmp_path / "c.png")] if command == "plot"
                                   else [])
    err = one_line(capsys, main(args), fragment)
    assert str(path) in err
    assert not (tmp_path / "c.png").exists()


# ---------------------------------------------------------------- F. tables
@pytest.mark.parametrize("prefix", ["=", "+", "-", "@"])
def test_csv_neutralises_formulas(prefix, tmp_path, capsys):
    path = tmp_path / "r.json"
    name = f"{prefix}HYPERLINK(\"http://x\")"
    path.write_text(json.dumps(results_payload(optimizer=name)))
    assert main(["table", str(path), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[0]["optimizer"] == "'" + name and float(rows[0]["lr"]) == 0.1


def test_markdown_escapes_pipes(tmp_path, capsys):
    path = tmp_path / "r.json"
    path.write_text(json.dumps(results_payload(preset="a|b")))
    assert main(["table", str(path)]) == 0
    row = capsys.readouterr().out.splitlines()[2]
    assert "a\\|b" in row
    assert row.replace("\\|", "").count("|") == row.count("|") - 1 == 9


# ---------------------------------------------------------------- G. what already held
def test_good_run_writes_reads_and_reuses(env, capsys):
    out = env.tmp / "r.json"
    assert compare_cli(out, "--lr", "0.05,0.1", "--seeds", "0,1") == 0
    payload = valid_results(out)
    assert len(payload["runs"]) == 4 and capsys.readouterr().err == ""
    loud = [arg for arg in BASE if arg != "--quiet"]
    assert main([*loud, "--out", str(out), "--lr", "0.05,0.1", "--seeds", "0,1"]) == 0
    err = capsys.readouterr().err
    assert "results read from cache" in err and "warning" not in err
    assert results_module.load(out).runs[0].lr == 0.05


# ---------------------------------------------------------------- H. issue 19
@pytest.fixture
def sticky(tmp_path) -> Path:
    """A sticky world-writable folder, like /tmp."""
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o1777)
    return folder


def foreign_link(sticky: Path, name: str, target: Path) -> Path:
    """A symbolic link in ``sticky`` owned by another user (root only)."""
    if not IS_ROOT:
        pytest.skip("giving a link to another user needs root")
    link = sticky / name
    link.symlink_to(target)
    os.lchown(link, 54321, 54321)
    return link


def test_another_users_symlink_in_a_sticky_folder_is_not_followed(sticky, env, capsys):
    """Issue 19 (1): --out through a stranger's link in /tmp is refused; the target stays."""
    victim = env.tmp / "victim.json"
    victim.write_text("precious")
    link = foreign_link(sticky, "r.json", victim)
    one_line(capsys, compare_cli(link), "refusing to follow the symbolic link")
    assert victim.read_text() == "precious" and link.is_symlink()


def test_plot_out_through_another_users_symlink_is_refused(sticky, results_file, tmp_path,
                                                           capsys):
    victim = tmp_path / "victim.png"
    victim.write_bytes(b"precious")
    link = foreign_link(sticky, "c.png", victim)
    one_line(capsys, main(["plot", str(results_file), "--out", str(link)]),
             "refusing to follow the symbolic link")
    assert victim.read_bytes() == b"precious"


def test_own_symlink_in_a_sticky_folder_is_followed(sticky, env, capsys):
    target = env.tmp / "target.json"
    link = sticky / "r.json"
    link.symlink_to(target)
    assert compare_cli(link) == 0
    assert link.is_symlink() and valid_results(target)


def test_cache_entry_linked_by_another_user_is_replaced_not_followed(sticky, env, capsys,
                                                                       monkeypatch):
    """A cache in a shared sticky folder: a stranger's link is neither read nor written
    through; the entry itself is replaced (a warning says why it was not read)."""
    monkeypatch.setenv("OPTGUIDE_CACHE_DIR", str(sticky))
    victim = env.tmp / "victim.json"
    victim.write_text("precious")
    path = cache_path(CONFIG, data_root=env.root)
    foreign_link(sticky, path.name, victim)
    one_line(capsys, compare_cli(env.tmp / "r.json"), "refusing to follow", kind="warning",
             status=0)
    assert victim.read_text() == "precious"
    assert not path.is_symlink() and compare(CONFIG,
                                             placement=Placement(data_root=env.root)).from_cache


def test_fifo_as_cache_entry_is_a_mismatch_not_a_hang(env, capsys):
    """Issue 19 (3): a named pipe in the cache's place is warned about and replaced."""
    path = cache_path(CONFIG, data_root=env.root)
    path.parent.mkdir(parents=True)
    os.mkfifo(path)
    one_line(capsys, compare_cli(env.tmp / "r.json"), "not a regular file", kind="warning",
             status=0)
    assert stat.S_ISREG(os.lstat(path).st_mode) and compare(CONFIG,
                                                            placement=Placement(data_root=env.root)).from_cache


def test_huge_sparse_cache_entry_is_not_read(env, capsys):
    """Issue 19 (4): the size is checked before reading."""
    path = cache_path(CONFIG, data_root=env.root)
    path.parent.mkdir(parents=True)
    with open(path, "wb") as stream:
        stream.truncate(results_module.MAX_FILE_BYTES + 1)
    one_line(capsys, compare_cli(env.tmp / "r.json"), "larger than", kind="warning", status=0)
    assert path.stat().st_size < 1_000_000


def test_cache_entry_linked_to_an_endless_device_is_not_read(env, capsys):
    zero = fake_device(env.tmp / "zero", 1, 5)
    path = cache_path(CONFIG, data_root=env.root)
    path.parent.mkdir(parents=True)
    path.symlink_to(zero)
    one_line(capsys, compare_cli(env.tmp / "r.json"), "not a regular file", kind="warning",
             status=0)
    assert stat.S_ISCHR(os.lstat(zero).st_mode) and not path.is_symlink()


def test_results_file_that_is_a_fifo_is_one_line(tmp_path, capsys):
    pipe = tmp_path / "r.json"
    os.mkfifo(pipe)
    one_line(capsys, main(["table", str(pipe)]), "not a regular file")


def _children(parent: int) -> list[int]:
    """Process ids whose parent is ``parent`` and that run multiprocessing's spawn_main."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == parent and b"spawn_main" in command:
            found.append(int(entry.name))
    return found


def _running(pid: int) -> bool:
    """``pid`` exists and is not a zombie (an exited child nobody reaped yet)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="needs /proc")
@pytest.mark.parametrize("signal_number", [signal.SIGKILL, signal.SIGTERM])
def test_workers_end_when_the_main_process_is_killed(signal_number, env):
    """Issue 19 (2): killing the main process leaves no worker process behind."""
    command = [sys.executable, "-m", "optguide", *BASE, "--out", str(env.tmp / "r.json"),
               "--workers", "2", "--seeds", "0,1", "--epochs", "5000", "--no-cache"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
            workers = _children(proc.pid)
        assert len(workers) == 2, "the comparison did not start two workers"
        time.sleep(1.0)
        proc.send_signal(signal_number)
        proc.wait(timeout=60)
        deadline = time.monotonic() + 30
        while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = [pid for pid in workers if _running(pid)]
        assert not left, f"workers {left} outlived their parent"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pid in workers:  # only after a failure: the test's own leftovers
            if _running(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("every", ["1e-300", "5e-324", "0.0001"])
def test_eval_every_below_one_update_is_refused_before_training(every, env, capsys):
    """Issue 19 (3): --eval-every 1e-300 spun forever; now one line before training."""
    one_line(capsys, compare_cli(env.tmp / "r.json", "--eval-every", every),
             "less than one update")
    assert not (env.tmp / "r.json").exists()


def test_trace_points_are_at_most_one_per_step():
    from optguide.train import trace_steps

    assert trace_steps(10, 2, 1e-300) == set(range(1, 21)) == trace_steps(10, 2, 0.1)
    assert trace_steps(10, 2, 0.5) == {5, 10, 15, 20}


def test_unreachable_ray_address_is_one_line_naming_it(env, capsys, monkeypatch):
    """Issue 19 (3): an address nobody answers on fails at once instead of waiting forever."""
    ray = pytest.importorskip("ray")

    def never(*args, **kwargs):
        raise AssertionError("ray.init reached with an unreachable address")

    monkeypatch.setattr(ray, "init", never)
    monkeypatch.setenv("RAY_ADDRESS", "127.0.0.1:1")
    one_line(capsys, compare_cli(env.tmp / "r.json", "--backend", "ray"),
             "cannot reach the Ray cluster at 127.0.0.1:1")


def _sparse_idx(path: Path, dims: tuple[int, ...]) -> None:
    """An IDX file whose header promises ``dims`` and whose size matches, but sparse."""
    magic = 0x0800 | len(dims)
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in dims)
    with open(path, "wb") as stream:
        stream.write(header)
        stream.truncate(len(header) + int(np.prod(dims)))


@pytest.mark.parametrize("name,dims,fragment", [
    ("train-labels-idx1-ubyte", (2**31,), "more than 250,000"),
    ("train-images-idx3-ubyte", (2**22, 28, 28), "more than 250,000"),
    ("t10k-images-idx3-ubyte", (64, 4096, 4096), "not 28x28"),
])
def test_huge_sparse_idx_file_is_refused_unread(name, dims, fragment, env, capsys):
    """Issue 19 (4): the header is checked against its limits before the body is read (a
    gigabyte-sized sparse file whose size matches its header is refused by the header)."""
    _sparse_idx(env.raw / name, dims)
    one_line(capsys, main(["data"]), fragment)
    one_line(capsys, compare_cli(env.tmp / "r.json"), fragment)


def test_huge_sparse_gz_original_is_not_read(env, capsys):
    with open(env.raw / "train-images-idx3-ubyte.gz", "wb") as stream:
        stream.truncate(data_module.MAX_GZ_BYTES + 1)
    assert main(["data"]) == 0
    assert "MISMATCH for train-images-idx3-ubyte.gz" in capsys.readouterr().out


def test_fifo_in_the_data_folder_is_one_line(env, capsys):
    """A named pipe where an MNIST file belongs is refused, not waited on."""
    victim = env.raw / "t10k-labels-idx1-ubyte"
    victim.unlink()
    os.mkfifo(victim)
    one_line(capsys, compare_cli(env.tmp / "r.json"), "t10k-labels-idx1-ubyte")


@pytest.mark.parametrize("extra,fragment", [
    (["--lr", "1e39"], "learning rates must be between"),
    (["--lr", "5e-324,1e-323"], "learning rates must be between"),
    (["--lr", "1e-40"], "learning rates must be between"),
    (["--schedule", "cosine:warmup=100000"], "warm-up of 100000 steps is not shorter"),
    (["--schedule", "cosine:warmup=2", "--batch-size", "full"], "warm-up of 2 steps"),
])
def test_values_training_cannot_use_are_refused_before_training(extra, fragment, env, capsys,
                                                                 monkeypatch):
    """Issue 19 (6): checked before training (one line, exit 2), not after a retried run."""
    from optguide import compare as compare_module
    from optguide import executor

    def never(*args, **kwargs):
        raise AssertionError("training started")

    monkeypatch.setattr(executor, "execute", never)
    monkeypatch.setattr(compare_module, "execute", never)
    one_line(capsys, compare_cli(env.tmp / "r.json", *extra), fragment)


def test_deterministic_errors_are_not_retried(env, monkeypatch):
    """Issue 19 (6): an error that training again would repeat is reported after one try;
    a transient one is retried once."""
    from optguide import executor

    calls = []

    def failing(error):
        def train(self, specs, data, progress=None):
            calls.append(1)
            raise error
        return train

    for error, tries, how in ((ValueError("math domain error"), 1, "failed: ValueError"),
                              (OverflowError("too big"), 1, "failed: OverflowError"),
                              (RuntimeError("lost"), 2, "failed twice: RuntimeError")):
        calls.clear()
        monkeypatch.setattr(executor.ChunkJob, "train", failing(error))
        with pytest.raises(executor.ExecutorError, match=how):
            compare(CONFIG, cache=False, placement=Placement(workers=1))
        assert len(calls) == tries


STUDY = {"kind": "study", "candidates": ["sgd"], "preset": "pytorch",
         "learning_rates": [0.01, 0.1], "select_seeds": [0, 1], "report_seeds": [2],
         "model": "mlp", "epochs": 1, "batch_size": 32, "train_size": None,
         "validation_size": 16, "max_widenings": 0}


@pytest.mark.parametrize("change", [{"candidates": 5}, {"select_seeds": None},
                                    {"report_seeds": "x"}, {"grids": 3}, {"epochs": "x"}])
@pytest.mark.parametrize("command", ["table", "plot"])
def test_study_file_with_wrong_types_is_one_line(change, command, tmp_path, capsys):
    """Issue 19 (7): a study's configuration of the wrong types, not a traceback."""
    path = tmp_path / "study.json"
    path.write_text(json.dumps({**results_payload(), "config": {**STUDY, **change}}))
    extra = ["--out", str(tmp_path / "c.png")] if command == "plot" else []
    one_line(capsys, main([command, str(path), *extra]), "study configuration is invalid")


@pytest.mark.parametrize("variable", ["OPTGUIDE_DATA_DIR", "OPTGUIDE_CACHE_DIR"])
def test_unknown_user_in_a_folder_is_one_line(variable, env, capsys, monkeypatch):
    monkeypatch.setenv(variable, "~no-such-user-optguide/data")
    one_line(capsys, compare_cli(env.tmp / "r.json"), "no such user")


def test_unknown_user_in_data_dir_option_is_one_line(env, capsys):
    one_line(capsys, main(["data", "--data-dir", "~no-such-user-optguide"]), "no such user")


@pytest.mark.parametrize("command", [["table"], ["data"]])
def test_closed_standard_output_is_one_line(command, results_file, env):
    """Issue 19 (7): started with standard output closed: one line on standard error."""
    args = [*command, str(results_file)] if command == ["table"] else command
    proc = subprocess.run([sys.executable, "-m", "optguide", *args], stderr=subprocess.PIPE,
                          text=True, preexec_fn=lambda: os.close(1))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("optguide: error: standard output is closed")
    assert len(proc.stderr.splitlines()) == 1


def test_closed_standard_error_prints_nothing_into_standard_output(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "optguide", "table",
                           str(tmp_path / "missing.json")], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True,
                          preexec_fn=lambda: os.close(2))
    assert proc.returncode == 2 and proc.stdout == ""


@pytest.mark.parametrize("changes,fragment", [
    (dict(seeds={0, 1}), "seeds must be a list or tuple"),
    (dict(seeds=(True,)), "seeds must be non-negative integers"),
    (dict(seeds=(0, False)), "seeds must be non-negative integers"),
    (dict(learning_rates=0.1), "learning rates must be a list or tuple"),
    (dict(learning_rates=(True,)), "learning rates must be positive numbers"),
    (dict(model=["mlp"]), "model must be a name"),
    (dict(optimizers=[["sgd"]]), "optimizers must be names"),
    (dict(epochs=True), "epochs must be an integer"),
    (dict(batch_size=True), "batch size must be an integer"),
    (dict(device=0), "device must be a name"),
])
def test_config_of_wrong_types_is_a_config_error(changes, fragment):
    """Issue 19 (7): wrong types in the library are a ConfigError, never taken as another
    value (``epochs=True`` as 1) nor a TypeError."""
    with pytest.raises(ConfigError, match=fragment):
        Config(**changes)


def test_config_takes_a_range_of_seeds_as_its_tuple():
    assert Config(seeds=range(3)).seeds == (0, 1, 2)


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="needs /proc")
def test_ctrl_c_with_workers_is_one_line_and_ends_them(env):
    """Issue 19 (7): Ctrl-C (SIGINT to the whole process group, as a terminal sends it)
    prints one line, no worker's KeyboardInterrupt traceback, and leaves no worker behind."""
    command = [sys.executable, "-m", "optguide", *BASE, "--out", str(env.tmp / "r.json"),
               "--workers", "2", "--seeds", "0,1", "--epochs", "5000", "--no-cache"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
            workers = _children(proc.pid)
        assert len(workers) == 2, "the comparison did not start two workers"
        time.sleep(1.0)
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130 and err == "optguide: interrupted\n", err
        deadline = time.monotonic() + 30
        while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [pid for pid in workers if _running(pid)]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pid in workers:
            if _running(pid):
                os.kill(pid, signal.SIGKILL)


def test_relative_data_folder_survives_a_change_of_folder(env, tmp_path):
    """Issue 19 (10): a relative $OPTGUIDE_DATA_DIR is made absolute at import (and put
    back into the environment for child processes), so an example run in its own folder
    (as sphinx-gallery runs them) still finds MNIST."""
    elsewhere = tmp_path / "gallery" / "example"
    elsewhere.mkdir(parents=True)
    script = ("import os, sys\nimport optguide.data as d\nos.chdir(sys.argv[1])\n"
              "print(d.load_mnist().train_size, os.environ['OPTGUIDE_DATA_DIR'])\n")
    relative = os.path.relpath(env.root, tmp_path)
    proc = subprocess.run([sys.executable, "-c", script, str(elsewhere)], cwd=tmp_path,
                          env={**os.environ, "OPTGUIDE_DATA_DIR": relative},
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["64", str(env.root)]



def test_results_record_the_data_they_were_trained_on(env, capsys):
    """Issue 19 (8): every results file names its data's fingerprint."""
    from optguide.data import fingerprint

    out = env.tmp / "r.json"
    assert compare_cli(out) == 0
    assert valid_results(out)["environment"]["data"] == fingerprint(env.root)


def test_diverged_run_may_stop_early_and_files_without_epochs_still_load(tmp_path, capsys):
    path = tmp_path / "r.json"
    payload = results_payload(status="diverged", diverged_epoch=2)
    payload["config"] = {"epochs": 5}
    path.write_text(json.dumps(payload))
    assert main(["table", str(path)]) == 0
    path.write_text(json.dumps({**results_payload(), "config": {}}))
    assert main(["table", str(path)]) == 0


@pytest.mark.parametrize("candidates,runs", [(["sgd"], []), (["sgd", "adam"], None)])
@pytest.mark.parametrize("command", ["table", "plot"])
def test_study_without_runs_of_a_candidate_is_one_line(candidates, runs, command, tmp_path,
                                                       capsys):
    """Issue 19 (9): was "max() arg is an empty sequence"."""
    payload = {**results_payload(), "config": {**STUDY, "candidates": candidates}}
    if runs is not None:
        payload["runs"] = runs
    path = tmp_path / "study.json"
    path.write_text(json.dumps(payload))
    extra = ["--out", str(tmp_path / "c.png")] if command == "plot" else []
    one_line(capsys, main([command, str(path), *extra]), "the study holds no runs of")


@pytest.mark.parametrize("text,canonical", [
    ("step:every=1000000", "step:every=1000000,gamma=0.1"),
    ("step:gamma=0.123456789", "step:every=1,gamma=0.123456789"),
    ("cosine:warmup=1234567", "cosine:warmup=1234567"),
    ("step:every=2,gamma=1e-5", "step:every=2,gamma=1e-05"),
])
def test_schedule_canonical_form_is_exact(text, canonical):
    """Issue 19 (9): ``every=1000000`` was shown as ``1e+06`` (and gamma cut to 6 digits)."""
    from optguide.schedules import Schedule

    schedule = Schedule.parse(text)
    assert str(schedule) == canonical and Schedule.parse(str(schedule)) == schedule


@pytest.mark.parametrize("name,shown", [
    ("ev\x1b[2Jil", "ev\\x1b[2Jil"),
    ("a\u202eb", "a\\u202eb"),
    ("two\nlines", "two\\nlines"),
    ("zero\u200bwidth", "zero\\u200bwidth"),
])
@pytest.mark.parametrize("fmt", ["markdown", "csv", "html"])
def test_table_escapes_control_and_bidi_characters(name, shown, fmt, tmp_path, capsys):
    """Issue 19 (9): names from a file are printed with such characters escaped."""
    path = tmp_path / "r.json"
    path.write_text(json.dumps(results_payload(preset=name)))
    assert main(["table", str(path), "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert shown.replace("\\", "") in out.replace("\\", "")  # markdown doubles backslashes
    assert not any(ch in out for ch in "\x1b\u202e\u200b")
    if fmt != "html":
        assert len(out.splitlines()) == {"markdown": 3, "csv": 2}[fmt]


def test_out_with_a_trailing_slash_is_refused(env, results_file, tmp_path, capsys):
    """Issue 19 (9): ``--out x.json/`` wrote ``x.json``."""
    one_line(capsys, main([*BASE, "--out", f"{env.tmp / 'x.json'}/"]), "ends in a slash")
    one_line(capsys, main(["plot", str(results_file), "--out", f"{tmp_path / 'c.png'}/"]),
             "ends in a slash")
    assert not (env.tmp / "x.json").exists() and not (tmp_path / "c.png").exists()



def test_full_disk_at_out_without_cache_prints_and_keeps_the_results(env, capsys,
                                                                      monkeypatch):
    """Issue 19 (11): the table is printed first, and the results that --out could not take
    are kept in a temporary file the one-line error names."""
    real_write = results_module.write_output
    out = env.tmp / "r.json"

    def full_at_out(path, content, **options):
        if Path(path) == out:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real_write(path, content, **options)

    monkeypatch.setattr(results_module, "write_output", full_at_out)
    code = compare_cli(out, "--no-cache")
    captured = capsys.readouterr()
    assert "| SGD | PyTorch |" in captured.out
    kept = captured.err.split("kept in ")[-1].strip()
    one_line(SimpleNamespace(readouterr=lambda: captured), code, "No space left on device")
    assert not out.exists() and valid_results(Path(kept))
    assert Path(kept).parent == env.temp


def test_a_failing_chunk_keeps_the_finished_ones(env, capsys, monkeypatch):
    """Issue 19 (9): a chunk failing twice no longer drops the chunks that had finished:
    their runs are kept in a results file the error names."""
    from optguide import executor

    real_train = executor.ChunkJob.train

    def seed_one_fails(self, specs, data, progress=None):
        if specs[0].seed == 1:
            raise RuntimeError("lost")
        return real_train(self, specs, data, progress)

    monkeypatch.setattr(executor.ChunkJob, "train", seed_one_fails)
    code = compare_cli(env.tmp / "r.json", "--seeds", "0,1", "--workers", "1")
    err = one_line(capsys, code, "failed twice: RuntimeError: lost", status=1)
    assert "the run that finished is kept in " in err
    kept = results_module.load(err.split("kept in ")[-1].strip())
    assert [(run.optimizer, run.seed) for run in kept.runs] == [("sgd", 0)]


def test_missing_mnist_is_one_clear_line_naming_the_absolute_folder(tmp_path, monkeypatch):
    """Issue 19 (10): what an example (or any script) shows when MNIST is not found."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(data_module.DataError) as caught:
        data_module.load_mnist("nowhere")
    message = str(caught.value)
    assert "\n" not in message and message.count("MNIST not found in ") == 1
    assert f"{tmp_path / 'nowhere' / 'MNIST' / 'raw'} (none of its four files is there)" in message
