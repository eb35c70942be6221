"""Benchmark workloads, one module per fastml area.

Adding an area: create ``<area>.py`` here defining ``WORKLOADS``, a list of
:class:`fastml.benchmarking.Workload`. Rules:

- import numpy only at module level; import the fastml area and the peers inside
  the functions (a missing area becomes an error row, a missing peer a note);
- give sizes for the three modes: "tiny" (tests, well under a second), "quick"
  (the whole ``--quick`` run stays under two minutes on 2 cores) and "full";
- ``run_fastml(data, n_threads)`` and each ``Peer.run(data, n_threads)`` do only
  the timed work (convert inputs in ``make_data``), and pass ``n_threads`` to the
  peer's own thread parameter (``n_jobs``, ``nthread``, ``torch.set_num_threads``);
- give a quality figure computed for both sides (AUC, recall, inertia) and/or a
  ``compare`` function (max absolute difference between the outputs).
"""
