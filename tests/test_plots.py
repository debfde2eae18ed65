"""The figures are written without touching matplotlib's backend: importing deltaprop.plots and
drawing both figures leaves the backend a user chose (a notebook's, a GUI's) as it was, and
pyplot (whose import picks a backend) is never imported."""

import subprocess
import sys
import textwrap

from conftest import require_module

require_module("matplotlib")  # every test here draws a figure

SCRIPT = textwrap.dedent("""
    import sys
    from pathlib import Path
    from types import SimpleNamespace

    import matplotlib
    matplotlib.use("svg")  # the user's choice, made before deltaprop is imported
    import numpy as np
    import deltaprop
    import deltaprop.plots as plots
    assert matplotlib.get_backend() == "svg", matplotlib.get_backend()

    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (40, 2))
    y = np.where(X[:, 0] > 0, 1.0, -1.0)
    runs = []
    for method in ("gd", "conjugate_gradient"):
        net = deltaprop.Network([2, 3, 1], seed=1)
        history = net.fit(X, y, method=method, iterations=20)
        runs.append(SimpleNamespace(method=method, history=history, network=net, test_error=0.1))
    result = SimpleNamespace(results=runs, dims=[2, 3, 1], X_train=X, y_train=y)
    out = Path(sys.argv[1])
    files = [plots.plot_error_curves(result, out / "curves.png"),
             plots.plot_decision_boundaries(result, out / "boundaries.png", resolution=30)]
    assert all(f.read_bytes()[:8] == b"\\x89PNG\\r\\n\\x1a\\n" for f in files)
    print(matplotlib.get_backend(), "matplotlib.pyplot" in sys.modules)
""")


def test_plots_leave_the_backend_alone_and_write_png_files(tmp_path):
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["svg", "False"]
