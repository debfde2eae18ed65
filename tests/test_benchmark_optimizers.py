"""benchmarks/optimizers.py (issue 19) runs: its --quick mode end to end (the table for every
solver, the figure, the targets' lines), and its pieces compute what they say."""

import pathlib
import re
import sys

import numpy as np
import pytest

import deltaprop
from conftest import require_module

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "benchmarks"))
require_module("scipy.optimize")
require_module("sklearn")
require_module("matplotlib")
import optimizers  # noqa: E402


@pytest.mark.slow  # about 10 s (20 s on a busy machine): three problems, every solver
def test_quick_run_reports_every_solver_and_the_targets(tmp_path, capsys):
    figure = tmp_path / "optimizers.png"
    assert optimizers.main(["--quick", "--figure", str(figure)]) == 0
    out = capsys.readouterr().out
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for problem in ("2-10-1 features", "256-100-10 tanh", "256-100-10 softmax"):
        solvers = set(re.findall(rf"^{problem}\s+(\S+(?: \S+)?)\s+\d", out, flags=re.M))
        expected = set(deltaprop.METHODS) | {"scipy L-BFGS-B", "scipy CG", "sklearn adam",
                                             "sklearn lbfgs"}
        if problem.startswith("2-10-1"):
            expected.add("scipy BFGS")  # BFGS's dense Hessian only on the small network
        assert solvers == expected, (problem, solvers)
    for target in ("[target 1]", "[target 2]", "[target 3]"):
        assert target in out


def test_scipy_run_and_deltaprop_run_start_from_the_same_weights():
    p = optimizers.features_problem(None, 300)
    ours = optimizers.deltaprop_run(p, "lbfgs", 5, record_every=1)
    theirs = optimizers.scipy_run(p, "L-BFGS-B", 5)
    f = p.network(0).objective(p.X, p.Y)
    e0 = f(p.network(0).get_flat_weights())[0]
    assert ours.error[0] == e0 and theirs.error[0] == e0  # one start, one objective
    assert np.all(np.diff(theirs.error) <= 0)  # the lowest E so far
    assert theirs.evaluations[-1] == theirs.extra["nfev"]
    # deltaprop's lbfgs follows scipy's closely on this small problem (target 1's measure)
    t = optimizers.lbfgs_against_scipy(p, [10])
    for k, e_ours, e_scipy, ratio in t["rows"]:
        assert ratio == e_ours / e_scipy and ratio < 1.1, t["rows"]
