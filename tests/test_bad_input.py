"""Every bad input gets the documented exception, with a message naming the argument and what was
expected, at every public entry point, and leaves the network as it was. Inputs that are merely
unusual (read-only, non-contiguous, byte-swapped, lists, other real dtypes) are accepted and
give exactly the numbers of the plain float array. Sizes that would overflow or exhaust memory
are refused before anything is allocated; those cases run in a child process under an
address-space limit, so that a regression fails the test instead of taking the machine's memory.
"""

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import deltaprop


def make_net(dims=(2, 3, 1), dtype=np.float64):
    return deltaprop.Network(list(dims), dtype=dtype, seed=0)


X = np.linspace(-1, 1, 8).reshape(4, 2)
y = np.array([1.0, -1.0, 1.0, -1.0])


def with_value(a, index, value):
    a = np.array(a, dtype=float)
    a[index] = value
    return a


# ---------------------------------------------------------------------------------------------
# The table: (id, call on a fresh network, exception, text in the message)
# ---------------------------------------------------------------------------------------------

# Bad X, for every entry point that takes data; "{X}" is how the message must name it.
BAD_X = [
    ("wrong width", np.zeros((4, 3)), ValueError, "{X} has shape (4, 3): expected (N, 2) or (2,)"),
    ("3-D", np.zeros((4, 2, 1)), ValueError, "{X} has shape (4, 2, 1)"),
    ("0-D", np.float64(0.5), ValueError, "{X} has shape ()"),
    ("1-D wrong length", np.zeros(3), ValueError, "{X} has shape (3,)"),
    ("transposed", np.zeros((2, 4)), ValueError, "{X} has shape (2, 4)"),
    ("empty", np.zeros((0, 2)), ValueError, "{X} is empty"),
    ("NaN", with_value(X, (2, 1), np.nan), ValueError, "{X} contains NaN (at flat index 5)"),
    ("+inf", with_value(X, (0, 0), np.inf), ValueError, "{X} contains an infinite value (at flat index 0)"),
    ("-inf", with_value(X, (3, 1), -np.inf), ValueError, "{X} contains an infinite value (at flat index 7)"),
    ("complex", X.astype(complex), TypeError, "{X} must hold real numbers, got dtype complex128"),
    ("object", X.astype(object), TypeError, "{X} must hold real numbers, got dtype object"),
    ("None", None, TypeError, "{X} must hold real numbers"),
    ("strings", [["a", "b"]] * 4, TypeError, "{X} must hold real numbers"),
    ("bytes", np.zeros((4, 2), dtype="S1"), TypeError, "{X} must hold real numbers"),
    ("datetime", np.zeros((4, 2), dtype="M8[s]"), TypeError, "{X} must hold real numbers"),
    ("timedelta", np.zeros((4, 2), dtype="m8[s]"), TypeError, "{X} must hold real numbers"),
    ("structured", np.zeros(4, dtype=[("a", float), ("b", float)]), TypeError, "{X} must hold real numbers"),
    ("dict", {}, TypeError, "{X} must hold real numbers"),
    ("ragged", [[0.0, 1.0], [2.0]], ValueError, "{X} could not be read as an array"),
]

# Bad y (X is fine: 4 rows, network with d^(L) = 1).
BAD_Y = [
    ("wrong N", np.zeros(5), ValueError, "{y} has shape (5,): expected (4, 1) or (4,) to match 4 rows"),
    ("wrong N 2-D", np.zeros((3, 1)), ValueError, "{y} has shape (3, 1)"),
    ("wrong width", np.zeros((4, 2)), ValueError, "{y} has shape (4, 2): expected (4, 1) or (4,)"),
    ("3-D", np.zeros((4, 1, 1)), ValueError, "{y} has shape (4, 1, 1)"),
    ("scalar", 1.0, ValueError, "{y} has shape ()"),
    ("empty", np.zeros(0), ValueError, "{y} has shape (0,)"),
    ("NaN", with_value(y, 1, np.nan), ValueError, "{y} contains NaN (at flat index 1)"),
    ("+inf", with_value(y, 3, np.inf), ValueError, "{y} contains an infinite value (at flat index 3)"),
    ("-inf", with_value(y, 0, -np.inf), ValueError, "{y} contains an infinite value (at flat index 0)"),
    ("complex", y.astype(complex), TypeError, "{y} must hold real numbers, got dtype complex128"),
    ("object", y.astype(object), TypeError, "{y} must hold real numbers, got dtype object"),
    ("None", None, TypeError, "{y} must hold real numbers"),
    ("strings", ["a"] * 4, TypeError, "{y} must hold real numbers"),
]

# Entry points taking (X, y), with the prefix their messages put before "X" and "y".
DATA_CALLS = [
    ("error", lambda n, a, b: n.error(a, b), ""),
    ("error_and_gradient", lambda n, a, b: n.error_and_gradient(a, b), ""),
    ("gd_step", lambda n, a, b: n.gd_step(a, b, 0.1), ""),
    ("sgd_epoch", lambda n, a, b: n.sgd_epoch(a, b, 0.1), ""),
    ("fit", lambda n, a, b: n.fit(a, b, iterations=2), ""),
    ("fit sgd", lambda n, a, b: n.fit(a, b, method="sgd", iterations=2), ""),
    ("fit validation", lambda n, a, b: n.fit(X, y, iterations=2, validation=(a, b)), "validation "),
    ("check_gradient", lambda n, a, b: deltaprop.check_gradient(n, a, b), ""),
    ("numerical_gradient", lambda n, a, b: deltaprop.numerical_gradient(n, a, b), ""),
]
# Entry points taking X alone.
X_CALLS = [
    ("forward", lambda n, a: n.forward(a)),
    ("predict", lambda n, a: n.predict(a)),
    ("decide", lambda n, a: n.decide(a)),
]


def data_cases():
    for call_id, call, prefix in DATA_CALLS:
        for defect, value, exc, text in BAD_X:
            yield (f"{call_id}: X {defect}", lambda n, c=call, v=value: c(n, v, y), exc,
                   text.format(X=prefix + "X"))
        for defect, value, exc, text in BAD_Y:
            yield (f"{call_id}: y {defect}", lambda n, c=call, v=value: c(n, X, v), exc,
                   text.format(y=prefix + "y"))
    for call_id, call in X_CALLS:
        for defect, value, exc, text in BAD_X:
            yield f"{call_id}: X {defect}", lambda n, c=call, v=value: c(n, v), exc, text.format(X="X")


BAD_LR = [0.0, -0.1, float("nan"), float("inf"), -float("inf")]

OTHER_CASES = [
    # --- wrong output width on a network with d^(L) = 2 ----------------------------------
    ("d^(L)=2: y (N,)", lambda n: make_net((2, 3, 2)).error(X, y), ValueError,
     "y has shape (4,): expected (4, 2) to match 4 rows of X and d^(L) = 2 outputs"),
    ("d^(L)=2: y (N, 1)", lambda n: make_net((2, 3, 2)).fit(X, y[:, None], iterations=1), ValueError,
     "y has shape (4, 1): expected (4, 2)"),
    ("d^(L)=2: single point, 1 target", lambda n: make_net((2, 3, 2)).error(X[0], 1.0), ValueError,
     "y has shape (): expected (1, 2)"),
    # --- float32 networks: conversion that overflows is caught after converting ------------
    ("float32: X overflows", lambda n: make_net(dtype=np.float32).forward(np.full((1, 2), 1e39)), ValueError,
     "X contains an infinite value"),
    ("float32: y overflows", lambda n: make_net(dtype=np.float32).error(X, np.full(4, -1e39)), ValueError,
     "y contains an infinite value"),
    ("float32: weights overflow",
     lambda n: setattr(make_net(dtype=np.float32), "weights", [np.full((3, 3), 1e39), np.zeros((4, 1))]),
     ValueError, "weights contains an infinite value"),
    # --- learning rates: every entry point that takes one ------------------------------------
    *[(f"gd_step lr={lr}", lambda n, lr=lr: n.gd_step(X, y, lr), ValueError,
       f"lr must be a finite number > 0.0, got {lr}") for lr in BAD_LR],
    *[(f"sgd_epoch lr={lr}", lambda n, lr=lr: n.sgd_epoch(X, y, lr), ValueError,
       f"lr must be a finite number > 0.0, got {lr}") for lr in BAD_LR],
    *[(f"fit {m} lr={lr}", lambda n, lr=lr, m=m: n.fit(X, y, method=m, lr=lr), ValueError,
       f"lr must be a finite number > 0.0, got {lr}") for lr in BAD_LR for m in ("gd", "conjugate_gradient")],
    ("fit lr text", lambda n: n.fit(X, y, lr="fast"), TypeError, "lr must be a number, got 'fast'"),
    ("gd_step lr text", lambda n: n.gd_step(X, y, "fast"), TypeError,
     "lr must be a number"),
    ("sgd_epoch lr None", lambda n: n.sgd_epoch(X, y, None), TypeError,
     "lr must be a number"),
    # --- fit's other options -----------------------------------------------------------------
    ("fit method", lambda n: n.fit(X, y, method="rmsprop"), ValueError, "method must be one of"),
    ("fit momentum 1", lambda n: n.fit(X, y, momentum=1.0), ValueError, "momentum must be a finite number"),
    ("fit momentum NaN", lambda n: n.fit(X, y, momentum=np.nan), ValueError, "momentum must be a finite number"),
    ("fit iterations -1", lambda n: n.fit(X, y, iterations=-1), ValueError, "iterations must be an integer >= 0"),
    ("fit iterations 1.5", lambda n: n.fit(X, y, iterations=1.5), ValueError, "iterations must be an integer"),
    ("fit iterations 2**64", lambda n: n.fit(X, y, iterations=2**64, record_every=2**60), ValueError,
     "iterations must be an integer below 2**63"),
    ("fit batch_size 0", lambda n: n.fit(X, y, method="minibatch", batch_size=0), ValueError,
     "batch_size must be an integer >= 1"),
    ("fit weight_decay -1", lambda n: n.fit(X, y, weight_decay=-1), ValueError, "weight_decay must be a finite"),
    ("fit both penalties", lambda n: n.fit(X, y, weight_decay=0.1, weight_elimination=0.1), ValueError,
     "choose one of weight_decay and weight_elimination"),
    ("fit record_every 0", lambda n: n.fit(X, y, record_every=0), ValueError, "record_every must be"),
    ("fit target_error NaN", lambda n: n.fit(X, y, target_error=np.nan), ValueError, "target_error must be"),
    ("fit max_seconds 0", lambda n: n.fit(X, y, max_seconds=0), ValueError, "max_seconds must be"),
    ("fit callback", lambda n: n.fit(X, y, callback=3), TypeError, "callback must be callable"),
    ("fit seed", lambda n: n.fit(X, y, method="sgd", seed=-1), ValueError, "seed must be in [0, 2**64)"),
    ("fit validation not a pair", lambda n: n.fit(X, y, validation=X), TypeError,
     "validation must be a pair (X_val, y_val)"),
    ("fit validation triple", lambda n: n.fit(X, y, validation=(X, y, y)), TypeError,
     "validation must be a pair"),
    ("fit patience without validation", lambda n: n.fit(X, y, patience=3), ValueError,
     "patience needs validation data"),
    # --- weights: assignment and set_flat_weights ------------------------------------------
    ("weights count", lambda n: setattr(n, "weights", [np.zeros((3, 3))]), ValueError, "list of 2 matrices, got 1"),
    ("weights shape", lambda n: setattr(n, "weights", [np.zeros((3, 2)), np.zeros((4, 1))]), ValueError,
     "weights[0] (W^(1)) has shape (3, 2), expected (3, 3)"),
    ("weights transposed", lambda n: setattr(n, "weights", [np.zeros((3, 3)), np.zeros((1, 4))]), ValueError,
     "weights[1] (W^(2)) has shape (1, 4), expected (4, 1)"),
    *[(f"weights {name}", lambda n, v=v: setattr(n, "weights", [with_value(np.zeros((3, 3)), (1, 2), v),
                                                              np.zeros((4, 1))]),
       ValueError, "weights[0] (W^(1)) contains NaN or infinite values")
      for name, v in (("NaN", np.nan), ("+inf", np.inf), ("-inf", -np.inf))],
    ("weights complex", lambda n: setattr(n, "weights", [np.zeros((3, 3), complex), np.zeros((4, 1))]),
     TypeError, "weights[0] (W^(1)) must hold real numbers, got dtype complex128"),
    ("weights object", lambda n: setattr(n, "weights", [np.zeros((3, 3)), np.array([[None]] * 4)]),
     TypeError, "weights[1] (W^(2)) must hold real numbers, got dtype object"),
    ("weights strings", lambda n: setattr(n, "weights", [[["a"] * 3] * 3, np.zeros((4, 1))]),
     TypeError, "weights[0] (W^(1)) must hold real numbers"),
    ("weights not a list", lambda n: setattr(n, "weights", 5), TypeError,
     "weights must be a list of 2 arrays, got int"),
    ("flat weights short", lambda n: n.set_flat_weights(np.zeros(12)), ValueError,
     "flat weights have shape (12,), expected (13,)"),
    ("flat weights 2-D", lambda n: n.set_flat_weights(np.zeros((1, 13))), ValueError,
     "flat weights have shape (1, 13), expected (13,)"),
    *[(f"flat weights {name}", lambda n, v=v: n.set_flat_weights(with_value(np.zeros(13), 11, v)),
       ValueError, "weights[1] (W^(2)) contains NaN or infinite values")
      for name, v in (("NaN", np.nan), ("+inf", np.inf), ("-inf", -np.inf))],
    ("flat weights object", lambda n: n.set_flat_weights(np.array([None] * 13)), TypeError,
     "must hold real numbers, got dtype object"),
    ("flat weights strings", lambda n: n.set_flat_weights(["w"] * 13), TypeError, "must hold real numbers"),
    # --- the network itself ----------------------------------------------------------------------
    ("dims short", lambda n: deltaprop.Network([3]), ValueError, "at least two layers"),
    ("dims zero width", lambda n: deltaprop.Network([3, 0, 1]), ValueError, "dims[1] = 0"),
    ("dims zero inputs", lambda n: deltaprop.Network([0, 1]), ValueError, "dims[0] = 0"),
    ("dims zero outputs", lambda n: deltaprop.Network([2, 3, 0]), ValueError, "dims[2] = 0"),
    ("dims negative", lambda n: deltaprop.Network([3, -4, 1]), ValueError, "dims[1] = -4"),
    ("dims float", lambda n: deltaprop.Network([3, 2.5, 1]), TypeError, "dims[1] must be an integer"),
    ("dims bool", lambda n: deltaprop.Network([3, True, 1]), TypeError, "dims[1] must be an integer"),
    ("dims text", lambda n: deltaprop.Network("231"), TypeError, "dims[0] must be an integer"),
    ("dims None", lambda n: deltaprop.Network(None), TypeError, "dims must be a sequence"),
    # absurd sizes: refused from the dimensions alone, before any allocation
    ("dims 1e9 x 1e9", lambda n: deltaprop.Network([10**9, 10**9, 1]), ValueError, "more than 2^31 weights"),
    ("dims 60000 x 60000", lambda n: deltaprop.Network([60000, 60000, 1]), ValueError, "more than 2^31 weights"),
    ("dims many layers", lambda n: deltaprop.Network([2] + [40000] * 3 + [1]), ValueError,
     "more than 2^31 weights"),
    ("dims 2^31", lambda n: deltaprop.Network([2, 2**31, 1]), ValueError, "absurdly large"),
    ("dims 2^63", lambda n: deltaprop.Network([2, 2**63, 1]), ValueError, "absurdly large"),
    ("dims 2^64", lambda n: deltaprop.Network([2, 2**64, 1]), ValueError,
     "dims[1] = 18446744073709551616 is absurdly large"),
    ("output", lambda n: deltaprop.Network([2, 1], output="relu"), ValueError,
     'output must be one of "tanh", "logistic", "identity", "softmax", got "relu"'),
    ("dtype int", lambda n: deltaprop.Network([2, 1], dtype=np.int32), TypeError, "float64 or float32"),
    ("dtype float16", lambda n: deltaprop.Network([2, 1], dtype=np.float16), TypeError, "float64 or float32"),
    ("dtype junk", lambda n: deltaprop.Network([2, 1], dtype="junk"), TypeError, "float64 or float32"),
    ("seed negative", lambda n: deltaprop.Network([2, 1], seed=-1), ValueError, "seed must be in [0, 2**64)"),
    ("seed 2^64", lambda n: deltaprop.Network([2, 1], seed=2**64), ValueError, "seed must be in [0, 2**64)"),
    ("seed float", lambda n: deltaprop.Network([2, 1], seed=1.5), TypeError, "seed must be a non-negative integer"),
    ("initialize seed", lambda n: n.initialize(-3), ValueError, "seed must be in [0, 2**64)"),
    ("sgd_epoch seed", lambda n: n.sgd_epoch(X, y, 0.1, seed=2**64), ValueError, "seed must be in [0, 2**64)"),
    # --- gradient checks and threads -------------------------------------------------------------
    *[(f"numerical_gradient delta={d}", lambda n, d=d: deltaprop.numerical_gradient(n, X, y, delta=d),
       ValueError, "delta must be a positive finite number") for d in (0.0, -1e-6, np.nan, np.inf)],
    ("set_num_threads 0", lambda n: deltaprop.set_num_threads(0), ValueError, "n_threads must be at least 1"),
    ("set_num_threads -1", lambda n: deltaprop.set_num_threads(-1), ValueError, "n_threads must be at least 1"),
    ("fit lr bool", lambda n: n.fit(X, y, lr=True), TypeError, "lr must be a number, got True"),
    ("gd_step lr bool", lambda n: n.gd_step(X, y, True), TypeError, "lr must be a number, got True"),
]


def all_cases():
    for case_id, call, exc, text in [*data_cases(), *OTHER_CASES]:
        yield pytest.param(call, exc, text, id=case_id)


@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")  # float32 cases
@pytest.mark.parametrize("call,exc,text", list(all_cases()))
def test_bad_input_raises(call, exc, text):
    net = make_net()
    before = net.get_flat_weights()
    with pytest.raises(exc) as info:
        call(net)
    assert text in str(info.value), str(info.value)
    assert np.array_equal(before, net.get_flat_weights()), "a rejected call changed the weights"


def test_numerical_gradient_restores_weights_after_bad_data():
    net = make_net()
    before = net.get_flat_weights()
    with pytest.raises(ValueError):
        deltaprop.numerical_gradient(net, X, np.zeros(5))
    assert np.array_equal(before, net.get_flat_weights())


def test_numerical_gradient_refuses_a_step_lost_to_rounding():
    net = make_net()
    net.weights = [w * 1e300 for w in net.weights]
    with pytest.raises(ValueError, match="delta"):
        deltaprop.numerical_gradient(net, X, y)


# ---------------------------------------------------------------------------------------------
# Unusual but valid inputs: accepted, converted, never modified, and exactly the same numbers
# ---------------------------------------------------------------------------------------------

# X holds small dyadic numbers and y ±1, exact in every dtype below (bool aside), so each
# variant denotes exactly the same numbers and must give bit-identical results.
Xe = np.array([[0.5, -1.0], [0.25, 2.0], [-0.75, 0.0], [1.0, 1.5], [0.0, -0.5]])
ye = np.array([1.0, -1.0, -1.0, 1.0, 1.0])


def read_only(a):
    a = np.array(a)
    a.setflags(write=False)
    return a


def strided(a):
    wide = np.repeat(a, 3, axis=-1)  # every third element is a
    return wide[..., ::3]


VARIANTS = {
    "read-only": read_only,
    "read-only strided": lambda a: read_only(np.repeat(a, 2, axis=-1))[..., ::2],
    "fortran order": np.asfortranarray,
    "strided view": strided,
    "negative strides": lambda a: np.ascontiguousarray(a[::-1])[::-1],
    "big-endian": lambda a: a.astype(a.dtype.newbyteorder(">")),
    "float32": lambda a: a.astype(np.float32),
    "float16": lambda a: a.astype(np.float16),
    "longdouble": lambda a: a.astype(np.longdouble),
    "nested lists": lambda a: a.tolist(),
    "tuples": lambda a: tuple(map(tuple, a)) if a.ndim == 2 else tuple(a),
    "memoryview": lambda a: memoryview(np.ascontiguousarray(a)),
}
INT_VARIANTS = {  # integer-valued data only
    "int64": lambda a: a.astype(np.int64),
    "int8": lambda a: a.astype(np.int8),
    "uint16 (non-negative)": lambda a: np.abs(a).astype(np.uint16),
    "bool": lambda a: a != 0,
}


def results(net, Xa, ya):
    """Everything each entry point computes from (X, y), as bytes to compare exactly."""
    out = {"forward": net.forward(Xa).tobytes(), "decide": net.decide(Xa).tobytes(),
           "error": net.error(Xa, ya)}
    e, G = net.error_and_gradient(Xa, ya)
    out["error_and_gradient"] = (e, b"".join(g.tobytes() for g in G))
    start = net.get_flat_weights()
    for step, call in (("gd_step", lambda: net.gd_step(Xa, ya, 0.1)),
                       ("sgd_epoch", lambda: net.sgd_epoch(Xa, ya, 0.1, seed=3)),
                       ("fit", lambda: net.fit(Xa, ya, method="minibatch", batch_size=2, iterations=4).error),
                       ("fit validation",
                        lambda: net.fit(Xe, ye, iterations=3, validation=(Xa, ya)).validation_error)):
        value = call()
        out[step] = (np.asarray(value).tobytes(), net.get_flat_weights().tobytes())
        net.set_flat_weights(start)
    return out


def reference(dtype, X_ref, y_ref):
    return results(make_net(dtype=dtype), X_ref.astype(dtype), y_ref.astype(dtype))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("variant", [*VARIANTS, *INT_VARIANTS])
def test_unusual_arrays_are_converted_to_the_same_numbers(variant, dtype):
    if variant in INT_VARIANTS:
        X_ref, y_ref = np.round(Xe * 2), ye
        make = INT_VARIANTS[variant]
        if variant.startswith(("uint", "bool")):
            X_ref, y_ref = make(X_ref).astype(float), np.abs(ye)
    else:
        X_ref, y_ref = Xe, ye
        make = VARIANTS[variant]
    Xa, ya = make(X_ref), make(y_ref)
    Xa_copy, ya_copy = np.array(Xa, copy=True), np.array(ya, copy=True)
    assert results(make_net(dtype=dtype), Xa, ya) == reference(dtype, X_ref, y_ref)
    np.testing.assert_array_equal(np.asarray(Xa), Xa_copy)  # inputs are never written to
    np.testing.assert_array_equal(np.asarray(ya), ya_copy)


@pytest.mark.parametrize("variant", ["read-only", "fortran order", "strided view", "big-endian",
                                     "float32", "nested lists"])
def test_unusual_weights_are_converted_to_the_same_numbers(variant):
    source = make_net((2, 3, 1))
    source.weights = [np.round(w * 64) / 64 for w in source.weights]  # exact in float16 and up
    expected = source.get_flat_weights()
    net = make_net()
    net.weights = [VARIANTS[variant](w) for w in source.weights]
    assert net.get_flat_weights().tobytes() == expected.tobytes()
    net = make_net()
    net.set_flat_weights(VARIANTS[variant](expected[None, :])[0] if variant != "nested lists"
                         else expected.tolist())
    assert net.get_flat_weights().tobytes() == expected.tobytes()


# ---------------------------------------------------------------------------------------------
# Sizes that fit in size_t but not in memory: refused before allocating
# ---------------------------------------------------------------------------------------------

CHILD = textwrap.dedent("""
    import json, resource, sys
    import numpy as np, deltaprop
    # the address space now in use plus the budget: an attempt to allocate more fails at once
    with open("/proc/self/status") as f:
        vm = next(int(l.split()[1]) for l in f if l.startswith("VmSize:")) * 1024
    budget = int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_AS, (vm + budget, vm + budget))
    try:
        exec(sys.argv[1])
        print(json.dumps({"ok": True}))
    except BaseException as e:
        print(json.dumps({"ok": False, "type": type(e).__name__, "message": str(e)}))
""")


def run_limited(code, budget_bytes):
    proc = subprocess.run([sys.executable, "-c", CHILD, code, str(budget_bytes)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, f"the child crashed (code {proc.returncode}):\n{proc.stderr[-3000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc and RLIMIT_AS")
def test_a_tiny_network_runs_under_the_memory_limit():
    # the control for the two tests below: the limit itself leaves room for normal work
    out = run_limited("n = deltaprop.Network([2, 10, 1], seed=0)\n"
                      "X = np.zeros((1000, 2)); n.fit(X, np.zeros(1000), iterations=5)", 512 << 20)
    assert out == {"ok": True}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc and RLIMIT_AS")
def test_weights_beyond_memory_are_refused_before_allocating():
    # 2^31 - 1 weights fit size_t and the 2^31 bound, but need 16 GiB
    out = run_limited("deltaprop.Network([2**31 - 2, 1], seed=0)", 512 << 20)
    assert out["type"] == "ValueError" and "dims [2147483646, 1]" in out["message"], out
    assert "more memory than is available" in out["message"], out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc and RLIMIT_AS")
def test_a_wide_network_trains_in_memory_near_its_weights():
    # 12.6 million weights (100 MB); training it needs a few copies of that, not a 256-row
    # workspace of 4M-unit layers (16 GiB a thread); such layers make blocks of one row
    out = run_limited("n = deltaprop.Network([1, 2**22, 1], seed=0)\n"
                      "n.fit(np.zeros((3, 1)), np.zeros(3), iterations=1)", 1536 << 20)
    assert out == {"ok": True}
