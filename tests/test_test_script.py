"""scripts/test.sh: what --quick leaves out, and how a check whose tool cannot be installed with
apt-get is skipped in one line, or fails under CI. The script's steps are read through its dry
run (DELTAPROP_TEST_DRY_RUN=1 prints them instead of running them); apt_install runs for real
against a PATH whose apt-get is a stand-in."""

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CHECKS = sorted(p.name for p in (REPO / "scripts" / "checks").glob("*.sh"))


def dry_run(*args):
    env = dict(os.environ, DELTAPROP_TEST_DRY_RUN="1")
    run = subprocess.run(["bash", str(REPO / "scripts" / "test.sh"), *args], env=env,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return run.stdout


def steps(output):
    return [line[2:] for line in output.splitlines() if line.startswith("+ ")]


def test_quick_runs_the_build_ctest_and_the_fast_python_tests_only():
    out = dry_run("--quick", "-x")
    ran = steps(out)
    assert any("pip install" in s and "DELTAPROP_TESTS=ON" in s for s in ran)
    assert any(s.startswith("ctest --test-dir") for s in ran)
    assert ran[-1].endswith("-m pytest -q -m not slow -x")
    assert not any("scripts/checks" in s for s in ran)
    assert "without the slow ones (no extra checks)" in out


def test_the_full_run_has_every_check_and_every_python_test():
    out = dry_run()
    ran = steps(out)
    assert CHECKS and all(any(s.endswith(f"scripts/checks/{c}") for s in ran) for c in CHECKS)
    assert ran[-1].endswith("-m pytest -q")
    assert "apt-get" in out and "valgrind and clang" in out  # it says what it installs


def test_the_test_requirements_include_pandas():
    assert "pandas" in (REPO / "scripts" / "test.sh").read_text()
    assert '"pandas' in (REPO / "pyproject.toml").read_text()


def test_ci_runs_the_full_script():
    assert (REPO / ".ci" / "run").read_text().strip().endswith("bash scripts/test.sh")


@pytest.fixture
def fake_path(tmp_path):
    """A PATH folder with `id` and `env` only; tests add a stand-in apt-get to it."""
    for tool in ("id", "env"):
        (tmp_path / tool).symlink_to(f"/usr/bin/{tool}")
    return tmp_path


def apt_install(path, ci):
    env = {"PATH": str(path), "HOME": os.environ.get("HOME", "/tmp")}
    if ci:
        env["CI"] = "true"
    script = (f'source "{REPO}/scripts/lib/checks.sh"; '
              'apt_install demo.sh no-such-tool-deltaprop some-package "the demo check"; echo RAN')
    return subprocess.run(["/bin/bash", "-c", script], env=env, capture_output=True, text=True,
                          timeout=60)


def stand_in_apt_get(folder, status):
    apt = folder / "apt-get"
    apt.write_text(f"#!/bin/bash\nexit {status}\n")
    apt.chmod(0o755)


NOT_ROOT = "installing it needs root"


@pytest.mark.parametrize("ci", [False, True])
def test_no_apt_get_skips_in_one_line_or_fails_under_ci(fake_path, ci):
    run = apt_install(fake_path, ci)
    what = "no-such-tool-deltaprop (for the demo check) is not installed and there is no apt-get to install it"
    if ci:
        assert (run.returncode, run.stdout) == (1, f"demo.sh: FAILED: {what}; under CI every check must run\n")
    else:
        assert (run.returncode, run.stdout) == (0, f"demo.sh: SKIPPED: {what}\n")  # and the check stops


@pytest.mark.parametrize("ci", [False, True])
def test_no_package_registry_skips_or_fails_under_ci(fake_path, ci):
    stand_in_apt_get(fake_path, 100)  # what apt-get does when no registry answers
    run = apt_install(fake_path, ci)
    reason = ("apt-get could not install some-package (no package registry reachable?)"
              if os.geteuid() == 0 else NOT_ROOT)
    last = run.stdout.splitlines()[-1]
    assert last.startswith("demo.sh: FAILED:" if ci else "demo.sh: SKIPPED:")
    assert reason in last and "RAN" not in run.stdout
    assert run.returncode == (1 if ci else 0)


@pytest.mark.skipif(os.geteuid() != 0, reason="the stand-in apt-get is only called as root")
def test_a_package_that_does_not_provide_the_tool_is_named(fake_path):
    stand_in_apt_get(fake_path, 0)
    run = apt_install(fake_path, ci=False)
    assert run.stdout.splitlines() == [
        "demo.sh: installing some-package with apt-get, for the demo check",
        "demo.sh: SKIPPED: no-such-tool-deltaprop (for the demo check) is not installed and the "
        "package some-package did not provide it"]


def test_a_tool_that_is_there_is_used_silently(fake_path):
    (fake_path / "no-such-tool-deltaprop").symlink_to("/bin/true")
    run = apt_install(fake_path, ci=True)
    assert (run.returncode, run.stdout) == (0, "RAN\n")
