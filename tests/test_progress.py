"""deltaprop's one progress bar (training and downloads): without tqdm, one line on stderr
rewritten in place, erased or kept at the end."""

import sys

import pytest
from conftest import require_module

from deltaprop._progress import ProgressBar


@pytest.fixture
def no_tqdm(monkeypatch):
    for name in ("tqdm", "tqdm.auto"):  # the submodule too, in case it was imported before
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)


def test_without_tqdm_one_line_of_percentages_is_erased_at_the_end(no_tqdm, capsys):
    bar = ProgressBar(200, "gd")
    bar.update(50, E_in=0.25)
    bar.update(200, E_in=float("nan"))
    bar.close()
    line = "gd: 100% of 200 iterations"
    assert capsys.readouterr().err == ("\rgd:  25% of 200 iterations\r" + line +
                                       "\r" + " " * len(line) + "\r")


def test_without_tqdm_a_kept_bar_ends_its_line_and_an_unknown_total_counts(no_tqdm, capsys):
    bar = ProgressBar(None, "zip.train", unit="B", leave=True)
    bar.update(4096)
    bar.close()
    assert capsys.readouterr().err == "\rzip.train: 4096 bytes\n"


def test_with_tqdm_the_bar_counts_to_done_not_by_increments(capsys):
    require_module("tqdm")
    bar = ProgressBar(10, "sgd")
    bar.update(3)
    bar.update(7, E_in=0.5)
    assert bar._bar.n == 7 and bar._bar.postfix == "E_in=0.5"
    bar.close()
