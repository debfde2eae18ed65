"""The figures are written without touching matplotlib's backend: importing deltaprop.plots and
drawing both figures leaves the backend a user chose (a notebook's, a GUI's) as it was, and
pyplot (whose import picks a backend) is never imported."""

import subprocess
import sys
import textwrap

from conftest import require_module

require_module("matplotlib")  # every test here draws a figure

SCRIPT = textwrap.dedent("""
    import os
    import sys
    from pathlib import Path

    import matplotlib
    matplotlib.use("svg")  # the user's choice, made before deltaprop is imported
    import deltaprop
    import deltaprop.experiment
    import deltaprop.plots as plots
    assert matplotlib.get_backend() == "svg", matplotlib.get_backend()

    # the experiment's own result, small: the shipped digits, two methods, a few iterations
    result = deltaprop.experiment.run_digits(methods=["gd", "conjugate_gradient"],
                                             iterations=20, progress=False, out=None,
                                             log=open(os.devnull, "w"))
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
