"""The digits experiment end to end: `deltaprop digits` on the real USPS features writes its
figures and CSV and reaches the lecture's test error; with no data path it uses the USPS files
the package ships, with no network access. Every output names what was run; progress bars only
on a terminal."""

import csv
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import deltaprop
from deltaprop.cli import main
from deltaprop.experiment import run_digits

from conftest import require_module, require_shared_data


def test_digits_on_usps_reaches_the_lectures_test_error(tmp_path, capsys):
    data = require_shared_data("features.train", "features.test")
    out = tmp_path / "out"
    code = main(["digits", "--data", str(data), "--iterations", "3000", "--methods", "gd,variable_lr,sgd",
                 "--out", str(out), "--no-progress"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "7291 training, 2007 test points" in printed
    for name in ("error_curves.png", "decision_boundaries.png", "histories.csv", "results.txt"):
        assert (out / name).stat().st_size > 0, name
    assert (out / "error_curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with open(out / "histories.csv") as f:
        rows = list(csv.DictReader(f))
    assert {r["method"] for r in rows} == {"gd", "variable_lr", "sgd"}
    # a linear model gets 2.24%; a trained 2-10-1 network about 1.8-2.0%
    for line in printed.splitlines():
        if line.startswith(("gd ", "variable_lr ")):
            e_test = float(line.split()[-1].rstrip("%"))
            assert 1.0 <= e_test <= 2.5, line


def test_methods_start_from_the_same_weights_and_errors_fall(tmp_path):
    data = require_shared_data("features.train", "features.test")
    result = run_digits(data=str(data), methods=["gd", "conjugate_gradient"], iterations=200,
                        progress=False, out=None, log=open(os.devnull, "w"))
    first = [r.history.error[0] for r in result.results]
    assert first[0] == first[1]  # same initial weights, same E_in at iteration 0
    for r in result.results:
        assert r.history.error[-1] < r.history.error[0]
        assert r.squared_error == pytest.approx(r.history.error[-1], rel=1e-12)
        assert 0 <= r.test_error < 0.05


def test_default_run_uses_the_shipped_usps_files_without_network(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DELTAPROP_")}
    env["XDG_DATA_HOME"] = str(tmp_path / "empty-data-home")
    env["HOME"] = str(tmp_path)
    env["MPLBACKEND"] = "Agg"
    # no network: any attempt to open a socket fails loudly
    code = (
        "import socket\n"
        "def no_net(*a, **k): raise RuntimeError('network access attempted')\n"
        "socket.socket.connect = no_net\n"
        "import sys\nfrom deltaprop.cli import main\n"
        "sys.exit(main(['digits', '--iterations', '300', '--methods', 'gd,conjugate_gradient', "
        "'--out', 'out']))\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("data: USPS features (shipped) (7291 training, 2007 test points)\n")
    assert "scikit-learn" not in proc.stdout + proc.stderr
    assert (tmp_path / "out" / "decision_boundaries.png").is_file()
    # stderr is a pipe: no progress bar frames, one summary line per method after the notice
    assert "\r" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 3 and lines[0].startswith("deltaprop: train data: USPS features (shipped)")
    for method, line in zip(["gd", "conjugate_gradient"], lines[1:]):
        assert re.fullmatch(method + r": 300 iterations, E_in 0\.\d{5}, E_test \d\.\d\d%, "
                            r"\d+\.\d\d s", line), line
    assert not (tmp_path / "empty-data-home").exists()


def run_small(tmp_path, *extra):
    """A short run on the shipped data with the command line; returns (exit code, out folder)."""
    out = tmp_path / "out"
    code = main(["digits", "--iterations", "50", "--methods", "gd,sgd", "--out", str(out), *extra])
    return code, out


def test_outputs_name_data_set_digit_network_and_seed(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("DELTAPROP_DATA", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    code, out = run_small(tmp_path, "--digit", "7", "--seed", "5", "--hidden", "4,3",
                          "--output", "identity")
    assert code == 0
    header = ["data: USPS features (shipped) (7291 training, 2007 test points)",
              "task: digit 7 versus the rest", "network: 2-4-3-1 identity", "seed: 5"]
    results = (out / "results.txt").read_text().splitlines()
    assert results[:5] == header + [""]
    assert results[5].split() == ["method", "iterations", "seconds", "E_in", "(sq)", "E_in",
                                  "(cls)", "E_test"]
    assert capsys.readouterr().out.splitlines()[:4] == header
    with open(out / "histories.csv") as f:
        rows = list(csv.DictReader(f))
    assert rows and {(r["data"], r["digit"], r["network"], r["seed"]) for r in rows} == {
        ("USPS features (shipped)", "7", "2-4-3-1 identity", "5")}
    assert {r["method"] for r in rows} == {"gd", "sgd"}
    # a data path is named as the path
    data = require_shared_data("features.train", "features.test")
    code, out = run_small(tmp_path, "--data", str(data))
    assert code == 0
    assert (out / "results.txt").read_text().startswith(f"data: {data / 'features.train'} (7291")


def test_the_8x8_digits_by_name_on_the_command_line(tmp_path, capsys):
    require_module("sklearn")
    code, out = run_small(tmp_path, "--data", "sklearn-8x8")
    assert code == 0
    assert (out / "results.txt").read_text().startswith(
        "data: scikit-learn's 8x8 digits, points 0-1197 of 1797 (1198 training, 599 test points)\n")


def test_figures_name_the_digit_and_show_the_test_points(tmp_path):
    require_module("matplotlib")
    from deltaprop.plots import decision_boundaries_figure, error_curves_figure
    result = run_digits(data=None, methods=["gd", "sgd"], iterations=30, digit=3, seed=2,
                        hidden=(6,), progress=False, out=None, log=open(os.devnull, "w"))
    title = "USPS features (shipped): digit 3 versus the rest\nnetwork 2-6-1 tanh, seed 2"
    curves = error_curves_figure(result)
    assert curves.axes[0].get_title() == title
    boundaries = decision_boundaries_figure(result)
    assert [t.get_text() for t in boundaries.texts] == [title]  # the suptitle
    for ax, r in zip(boundaries.axes, result.results):
        assert ax.get_title() == f"{r.method}: E_test {100 * r.test_error:.2f}% (2007 test points)"
        marked = {c.get_label(): c.get_offsets() for c in ax.collections if c.get_label()[0] != "_"}
        assert set(marked) == {"digit 3 (test)", "other digits (test)"}
        np.testing.assert_array_equal(marked["digit 3 (test)"], result.X_test[result.y_test > 0])
        np.testing.assert_array_equal(marked["other digits (test)"], result.X_test[result.y_test < 0])
        # the title's E_test is the share of these points on the wrong side of the boundary
        assert r.test_error == np.mean(r.network.decide(result.X_test).ravel() != result.y_test)
    import matplotlib.pyplot as plt
    plt.close("all")


def test_progress_bars_only_on_a_terminal(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DELTAPROP_DATA", str(require_shared_data("features.train", "features.test")))
    assert run_small(tmp_path)[0] == 0  # capsys's stderr is not a terminal
    err = capsys.readouterr().err
    assert "\r" not in err and [line.split(":")[0] for line in err.splitlines()[1:]] == ["gd", "sgd"]
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert run_small(tmp_path)[0] == 0
    err = capsys.readouterr().err
    assert "\r" in err and "gd: 50 iterations" not in err  # bars, not summary lines
    assert run_small(tmp_path, "--no-progress")[0] == 0
    err = capsys.readouterr().err
    assert "\r" not in err and "gd: 50 iterations" in err


def test_run_digits_decides_on_bars_by_the_terminal_by_default(monkeypatch, capsys):
    def run():
        run_digits(data=str(require_shared_data("features.train", "features.test")),
                   methods=["gd"], iterations=50, out=None, log=open(os.devnull, "w"))
        return capsys.readouterr().err
    err = run()
    assert "\r" not in err and re.search(r"^gd: 50 iterations, E_in", err, flags=re.M)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    err = run()
    assert "\r" in err and "gd: 50 iterations" not in err


def test_figures_are_skipped_in_one_line_without_matplotlib(tmp_path, monkeypatch, capsys):
    # the submodules too: an import of matplotlib.figure finds it in sys.modules, without
    # looking at its parent, once an earlier test has imported it
    for name in ("matplotlib", "matplotlib.figure", "matplotlib.pyplot"):
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setenv("DELTAPROP_DATA", str(require_shared_data("features.train", "features.test")))
    code, out = run_small(tmp_path)
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == ["histories.csv", "results.txt"]
    assert "figures skipped: figures need matplotlib: pip install 'deltaprop[plot]'\n" in capsys.readouterr().out


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(flag, capsys):
    with pytest.raises(SystemExit) as exit:
        main([flag])
    assert exit.value.code == 0
    assert capsys.readouterr().out == f"deltaprop {deltaprop.__version__}\n"
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", deltaprop.__version__)


def test_cli_rejects_bad_arguments(capsys):
    with pytest.raises(SystemExit):
        main(["digits", "--methods", "rmsprop"])
    assert "unknown method" in capsys.readouterr().err
    assert main(["digits", "--data", "/nonexistent/folder", "--iterations", "1", "--no-progress", "--out", "x"]) == 1
    assert "error" in capsys.readouterr().err


def test_check_command_passes():
    assert main(["check", "--dims", "3,5,2"]) == 0
