"""The command line: ``deltaprop digits``, ``deltaprop fetch-data``, ``deltaprop check``, and
``deltaprop --version``.

Also reachable as ``python -m deltaprop ...``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Dict, List, Optional, Sequence, Union

from . import _core
from .training import METHODS


def _int_list(text: str) -> List[int]:
    try:
        values = [int(v) for v in text.replace(" ", "").split(",") if v]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"expected positive integers, got {text!r}")
    return values


def _methods(text: str) -> List[str]:
    methods = [m for m in text.replace(" ", "").split(",") if m]
    if text == "all":
        return list(METHODS)
    bad = [m for m in methods if m not in METHODS]
    if bad or not methods:
        raise argparse.ArgumentTypeError(f"unknown method(s) {bad or text!r}; choose from {', '.join(METHODS)} or all")
    return methods


def _names(text: str) -> List[str]:
    """Comma-separated names (checked where they are used)."""
    names = [n for n in text.replace(" ", "").split(",") if n]
    if not names:
        raise argparse.ArgumentTypeError(f"expected comma-separated names, got {text!r}")
    return names


def _ten_digits() -> Any:
    from . import ten_digits
    return ten_digits


def _rates(items: Sequence[str]) -> Dict[str, float]:
    rates = {}
    for item in items:
        method, _, value = item.partition("=")
        if method not in METHODS or not value:
            raise SystemExit(f"deltaprop: --lr takes METHOD=VALUE with METHOD in {', '.join(METHODS)}; got {item!r}")
        try:
            rates[method] = float(value)
        except ValueError:
            raise SystemExit(f"deltaprop: --lr {item!r}: {value!r} is not a number") from None
    return rates


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="deltaprop", description="deltaprop: the neural network of "
                                "Learning From Data lecture 21 (backpropagation), from the command line.")
    p.add_argument("-V", "--version", action="version", version=f"deltaprop {_version()}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    d = sub.add_parser("digits", help="the digits experiments: one digit versus the rest, or all ten",
                       description="Train a 2-h-1 network on (average intensity, symmetry) to "
                                   "tell one digit (--digit, default 1) from the rest, with each "
                                   "method from the same initial weights; print a table and write "
                                   "figures. With --classes 10, train a 256-h-10 network on the "
                                   "pixels to tell the ten digits apart, with softmax outputs and "
                                   "cross-entropy and with the lecture's tanh outputs and squared "
                                   "error; print E_in and E_test and write the confusion matrices "
                                   "and the misclassified test digits. With no --data it reads the "
                                   "USPS files shipped with deltaprop: no download needed.")
    d.add_argument("--classes", type=int, choices=(2, 10), default=2,
                   help="2: one digit versus the rest, from the two features (the lecture's "
                        "experiment, the default); 10: the ten digits from the pixels")
    d.add_argument("--data", help="folder (or file) with features.train/test or zip.train/test "
                                  "(--classes 10: zip.train/test), or sklearn-8x8 for scikit-learn's "
                                  "8x8 digits; default: $DELTAPROP_DATA, the user data folder, else "
                                  "the USPS files shipped with deltaprop")
    d.add_argument("--hidden", type=_int_list, help="hidden layer widths, e.g. 10 or 10,5 "
                                                    "(default 10; 100 with --classes 10)")
    d.add_argument("--activation", type=_names,
                   help=f"θ of the hidden layers, one name for all or one per hidden layer, "
                        f"comma-separated: {', '.join(_core.ACTIVATIONS)} (default tanh; relu "
                        f"with --classes 10)")
    d.add_argument("--output", type=_names,
                   help=f"output θ, one of {', '.join(_core.OUTPUTS)} (default tanh); with "
                        f"--classes 10 the output schemes to compare, comma-separated: "
                        f"{', '.join(_ten_digits().SCHEMES)} (default "
                        f"{','.join(_ten_digits().DEFAULT_SCHEMES)})")
    d.add_argument("--methods", type=_methods,
                   help=f"comma-separated, or all (default: all = {','.join(METHODS)}; "
                        f"{','.join(_ten_digits().DEFAULT_METHODS)} with --classes 10)")
    d.add_argument("--iterations", type=int,
                   help="iterations per method (default 10000; with --classes 10 each method's "
                        "own, 100 epochs for minibatch)")
    d.add_argument("--lr", nargs="*", default=[], metavar="METHOD=VALUE", help="learning rates, e.g. gd=0.5 sgd=0.05")
    d.add_argument("--weight-decay", type=float, metavar="LAMBDA",
                   help="λ of E_aug = E_in + (λ/N) Σ w² (default 0; "
                        f"{_ten_digits().DEFAULT_WEIGHT_DECAY:g} with --classes 10)")
    d.add_argument("--seed", type=int, default=1, help="initial weights and SGD order (default 1)")
    d.add_argument("--digit", type=int, choices=range(10), metavar="0-9",
                   help="the positive class (default 1; not with --classes 10)")
    d.add_argument("--out", default="digits-out", help="folder for figures and CSV (default digits-out)")
    d.add_argument("--threads", type=int, help="threads for the core (default: all cores)")
    d.add_argument("--no-progress", action="store_true",
                   help="no progress bars (they are drawn only when stderr is a terminal; "
                        "otherwise one summary line per method)")

    f = sub.add_parser("fetch-data", help="download the USPS digits files into the user data folder "
                                          "(optional: deltaprop ships them)")
    f.add_argument("--dest", help="folder to write to (default: the user data folder)")
    f.add_argument("--base-url", help="where to download from (default: the public addresses)")
    f.add_argument("--no-progress", action="store_true", help="no progress bar")

    c = sub.add_parser("check", help="check backpropagation against finite differences on a random network")
    c.add_argument("--dims", type=_int_list, default=[2, 10, 1], help="layer sizes (default 2,10,1)")
    c.add_argument("--activation", type=_names, default=["tanh"],
                   help=f"θ of the hidden layers, one name for all or one per hidden layer, "
                        f"comma-separated: {', '.join(_core.ACTIVATIONS)} (default tanh)")
    c.add_argument("--output", choices=_core.OUTPUTS, default="tanh",
                   help="θ of the output layer (default tanh)")
    c.add_argument("--loss", choices=_core.LOSSES,
                   help="the error (default: cross_entropy for a softmax output, else "
                        "squared_error)")
    c.add_argument("--points", type=int, default=20, help="data points (default 20)")
    c.add_argument("--seed", type=int, default=0)

    t = sub.add_parser("trace", help="one point through the book's Example 7.1 network: s, x and delta per layer",
                       description="Forward and backward propagation of one point through the 1-2-1-1 "
                                   "tanh network of Learning From Data's Example 7.1 (its weights), "
                                   "printed layer by layer as the book's table: the signals s(l), the "
                                   "activations x(l) (with their leading 1) and the sensitivities delta(l).")
    t.add_argument("--x", type=float, default=2.0, help="the input x (default 2, the book's)")
    t.add_argument("--y", type=float, default=1.0, help="the target y (default 1, the book's)")
    t.add_argument("--decimals", type=int, default=2, choices=range(0, 17), metavar="0-16",
                   help="decimals shown (default 2, as the book)")
    return p


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help()
        return 2
    try:
        if args.command == "digits":
            return _digits(args)
        if args.command == "fetch-data":
            from .fetch import fetch_command
            return fetch_command(dest=args.dest, base_url=args.base_url, progress=_progress(args))
        if args.command == "check":
            return _check(args)
        if args.command == "trace":
            return _trace(args)
    except (ValueError, TypeError, OSError) as e:  # input and data errors: one clear line
        print(f"deltaprop {args.command}: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"deltaprop {args.command}: interrupted", file=sys.stderr)
        return 130
    return 2


def _digits(args: argparse.Namespace) -> int:
    from . import set_num_threads
    if args.iterations is not None and args.iterations < 1:
        raise ValueError("--iterations must be at least 1")
    if args.threads is not None:
        set_num_threads(args.threads)
    activation = _activation(args.activation)
    common = dict(data=args.data, methods=args.methods, iterations=args.iterations,
                  lr=_rates(args.lr), seed=args.seed, progress=_progress(args), out=args.out)
    given = {k: v for k, v in common.items() if v is not None}
    if args.classes == 10:
        ten = _ten_digits()
        if args.digit is not None:
            raise ValueError("--digit chooses the positive class of --classes 2; "
                             "--classes 10 tells all ten digits apart")
        ten.run_ten_digits(hidden=args.hidden or ten.DEFAULT_HIDDEN,
                           activation=activation or ten.DEFAULT_ACTIVATION,
                           schemes=args.output or ten.DEFAULT_SCHEMES,
                           weight_decay=(ten.DEFAULT_WEIGHT_DECAY if args.weight_decay is None
                                         else args.weight_decay), **given)
        return 0
    from .experiment import run_digits
    if args.output is not None and len(args.output) != 1:
        raise ValueError(f"--output takes one θ with --classes 2, got {','.join(args.output)}")
    run_digits(hidden=args.hidden or [10], activation=activation or "tanh",
               output=args.output[0] if args.output else "tanh",
               digit=1 if args.digit is None else args.digit,
               weight_decay=args.weight_decay or 0.0,
               **{"iterations": 10000, **given})
    return 0


def _activation(names: Optional[List[str]]) -> Union[str, List[str], None]:
    """--activation as Network takes it: one name for every hidden layer, or the list."""
    if names is None:
        return None
    return names[0] if len(names) == 1 else names


def _progress(args: argparse.Namespace) -> bool:
    """Progress bars redraw one line with carriage returns: only on a terminal, never into a
    pipe or a log file."""
    return not args.no_progress and sys.stderr.isatty()


def _version() -> str:
    from . import __version__
    return __version__


def _check(args: argparse.Namespace) -> int:
    import numpy as np

    from . import Network, check_gradient
    net = Network(args.dims, _activation(args.activation) or "tanh", args.output, args.loss,
                  seed=args.seed)
    rng = np.random.default_rng(args.seed)
    X = rng.normal(size=(args.points, args.dims[0]))
    y = _check_targets(rng, (args.points, args.dims[-1]), args.output)
    print(f"network {'-'.join(map(str, args.dims))}: hidden {','.join(net.activation)}, "
          f"output {net.output}, loss {net.loss}; {args.points} points, seed {args.seed}")
    result = check_gradient(net, X, y)
    for l, (a, r) in enumerate(zip(result.max_abs_error, result.max_rel_error), start=1):
        print(f"G^({l}): max |g - g_hat| = {a:.3e}, max relative {r:.3e}")
    print(f"||g - g_hat|| / ||g + g_hat|| = {result.relative_error:.3e} "
          f"(tolerance {result.tolerance:g}): {'passed' if result.passed else 'FAILED'}")
    return 0 if result.passed else 1


def _check_targets(rng: Any, shape: Any, output: str) -> Any:
    """Random targets the output can take: rows of probabilities for softmax, values in [0, 1]
    for logistic, in [-1, 1] otherwise."""
    if output == "softmax":
        p = rng.uniform(0.05, 1.0, size=shape)
        return p / p.sum(axis=1, keepdims=True)
    if output == "logistic":
        return rng.uniform(0.0, 1.0, size=shape)
    return rng.uniform(-1, 1, size=shape)


def _trace(args: argparse.Namespace) -> int:
    from .examples import example_7_1
    result = example_7_1().trace([args.x], [args.y])
    print(f"Example 7.1 of Learning From Data: the 1-2-1-1 tanh network at x = {args.x:g}, y = {args.y:g}")
    print(result.table(args.decimals))
    return 0


if __name__ == "__main__":
    sys.exit(main())
