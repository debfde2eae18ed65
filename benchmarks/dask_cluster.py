"""Time per evaluation of E_in and its gradient on a Dask LocalCluster of process workers against
the local threaded evaluation (issue 20).

    python benchmarks/dask_cluster.py [--rows 60000] [--large-rows 60000] [--workers 2] [--repeats 5]

Two networks: the lecture's 2-10-1 (the round trip dominates) and 784-1024-10 (the work
dominates). Each row is the median over ``--repeats`` of one evaluation (E_in and gradient at the
same weights): locally through ``net.objective`` at the machine's thread count, on the cluster
through ``deltaprop.distributed.DaskObjective`` with one partition per worker; the overhead is
cluster / local − 1 and the round trip is the 2-10-1 cluster time (its compute is negligible).
The load average is printed before and after, since the machine may be shared.
"""

import argparse
import os
import statistics
import time

import numpy as np

# (Named dask_cluster.py, not distributed.py: the tests put benchmarks/ on sys.path, where a
# distributed.py would stand in for the dask package of that name.)


def _median_seconds(f, repeats):
    f()  # warm: the workers build their network, the pages are touched
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=60000, help="rows for 2-10-1")
    parser.add_argument("--large-rows", type=int, default=60000, help="rows for 784-1024-10")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    import dask
    import dask.array as da
    from distributed import Client, LocalCluster

    import deltaprop
    from deltaprop.distributed import DaskObjective

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"cores: {os.cpu_count()}, workers: {args.workers} processes x 1 thread; local: "
          f"{os.cpu_count()} threads")
    cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=50)
    client = Client(cluster)
    for dims, rows in (([2, 10, 1], args.rows), ([784, 1024, 10], args.large_rows)):
        per_worker = -(-rows // args.workers)  # one partition per worker, made on the workers
        random = da.random.RandomState(0)
        Xd = random.uniform(-1, 1, size=(rows, dims[0]), chunks=(per_worker, dims[0]))
        yd = da.tanh(random.standard_normal(size=(rows, dims[-1]), chunks=(per_worker, dims[-1])))
        X, y = (np.asarray(a) for a in dask.compute(Xd, yd, scheduler="sync"))
        net = deltaprop.Network(dims, seed=1)
        w = net.get_flat_weights()
        local = net.objective(X, y)
        remote = DaskObjective(net, Xd, yd, client)
        e_local, g_local = local(w)
        e_remote, g_remote = remote(w, True)
        assert abs(e_remote - e_local) <= 1e-9 * abs(e_local), (e_remote, e_local)
        t_local = _median_seconds(lambda: local(w), args.repeats)
        t_remote = _median_seconds(lambda: remote(w, True), args.repeats)
        sent = w.nbytes * len(remote.pairs)
        print(f"{'-'.join(map(str, dims)):>12} x {rows} rows: local {t_local * 1e3:8.2f} ms, cluster "
              f"{t_remote * 1e3:8.2f} ms per evaluation ({t_remote / t_local:5.2f}x); "
              f"weights out {sent / 1e3:.1f} kB, gradients back {sent / 1e3:.1f} kB")
        remote.release()
    client.close()
    cluster.close()
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
