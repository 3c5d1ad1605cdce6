"""The suite runs more workers than the machine has cores (see pyproject's addopts): numpy's BLAS
must run on one thread in each, or its threads spin on each other's cores."""

from __future__ import annotations

import os

from threadpoolctl import threadpool_info


def test_blas_runs_on_one_thread_in_every_worker_and_what_it_starts():
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas, "numpy's BLAS, as threadpoolctl finds it"
    assert all(pool["num_threads"] == 1 for pool in blas), blas
    assert os.environ["OPENBLAS_NUM_THREADS"] == os.environ["OMP_NUM_THREADS"] == "1"
