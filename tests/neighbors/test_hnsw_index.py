"""fastml.neighbors.Index: hnswlib's API, errors, persistence and the extensions."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from naive.hnsw import brute_knn, recall

from fastml.neighbors import HNSWNearestNeighbors, Index


def _data(n=600, dim=8, seed=0):
    return np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)


def _index(X, space="l2", capacity=None, **kw):
    index = Index(space, X.shape[1])
    index.init_index(capacity or X.shape[0], M=8, ef_construction=50, **kw)
    index.add_items(X)
    return index


def test_properties_and_return_types():
    X = _data()
    index = Index("l2", 8)
    assert (index.space, index.dim, index.max_elements, index.element_count) == (
        "l2",
        8,
        0,
        0,
    )
    index.init_index(1000, M=8, ef_construction=50)
    index.add_items(X)
    assert (index.M, index.ef_construction, index.ef) == (8, 50, 10)
    assert index.get_max_elements() == index.max_elements == 1000
    assert index.get_current_count() == index.element_count == 600
    assert index.get_ids_list() == list(range(600))
    labels, dist = index.knn_query(X[:3], k=4)
    assert labels.dtype == np.uint64 and dist.dtype == np.float32
    assert labels.shape == dist.shape == (3, 4)
    assert labels[:, 0].tolist() == [0, 1, 2] and np.all(dist[:, 0] == 0)
    assert np.all(np.diff(dist, axis=1) >= 0)
    one = index.knn_query(X[5], k=2)
    assert one[0].shape == (1, 2)
    assert index.knn_query(X[:2], k=0)[0].shape == (2, 0)
    index.set_ef(40)
    assert index.ef == 40
    index.ef = 30
    assert index.ef == 30
    index.set_num_threads(1)
    assert index.num_threads == 1
    assert "Index" in repr(index)


def test_errors():
    X = _data()
    index = Index("l2", 8)
    with pytest.raises(RuntimeError, match="not initialized"):
        index.knn_query(X[:1])
    with pytest.raises(RuntimeError, match="not initialized"):
        index.add_items(X)
    with pytest.raises(RuntimeError, match="Space name"):
        Index("hamming", 8)
    index.init_index(10)
    with pytest.raises(RuntimeError, match="contiguous 2D array"):
        index.knn_query(X[:1], k=1)  # empty index
    with pytest.raises(RuntimeError, match="exceeds the specified limit"):
        index.add_items(X[:11])
    assert index.element_count == 0  # all or nothing
    index.add_items(X[:10])
    with pytest.raises(RuntimeError, match="contiguous 2D array"):
        index.knn_query(X[:1], k=11)
    with pytest.raises(RuntimeError, match="Wrong dimensionality"):
        index.knn_query(X[:1, :5])
    with pytest.raises(RuntimeError, match="Wrong dimensionality"):
        index.add_items(X[:1, :5])
    bad = X[:2].copy()
    bad[1, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        index.add_items(bad, ids=[100, 101])
    with pytest.raises(ValueError, match="NaN"):
        index.knn_query(bad)
    with pytest.raises(ValueError, match="numeric"):
        index.add_items(np.array([["a"] * 8]))
    with pytest.raises(OverflowError):
        index.add_items(X[:1], ids=[-1])
    with pytest.raises(RuntimeError, match="label shape"):
        index.add_items(X[:3], ids=[1, 2])
    with pytest.raises(RuntimeError, match="Cannot resize"):
        index.resize_index(5)
    with pytest.raises(RuntimeError, match="Label not found"):
        index.get_items([999])
    with pytest.raises(ValueError, match="k must be"):
        index.knn_query(X[:1], k=-1)


def test_pad_missing():
    X = _data(5)
    index = _index(X)
    labels, dist = index.knn_query(X[:2], k=7, pad_missing=True)
    assert labels.dtype == np.int64
    assert (labels[:, 5:] == -1).all() and np.isinf(dist[:, 5:]).all()
    assert sorted(labels[0, :5].tolist()) == list(range(5))


def test_resize_and_auto_resize():
    X = _data(300)
    index = Index("l2", 8)
    index.init_index(100, M=8, ef_construction=50, auto_resize=True)
    index.add_items(X)
    assert index.element_count == 300 and index.max_elements >= 300
    fixed = _index(X[:100])
    fixed.resize_index(300)
    fixed.add_items(X[100:])
    assert fixed.max_elements == 300
    assert fixed.knn_query(X[250], k=1)[0][0, 0] == 250


def test_update_and_duplicate_ids():
    X = _data()
    index = _index(X, capacity=700)
    new = np.full((2, 8), 7.0, dtype=np.float32)
    index.add_items(new, ids=[3, 4])
    assert index.element_count == 600
    np.testing.assert_array_equal(index.get_items([3, 4]), new)
    assert set(index.knn_query(new[0], k=2)[0][0].tolist()) == {3, 4}
    index.add_items(np.stack([X[0] + 50, X[0] - 50]), ids=[1000, 1000], num_threads=1)
    np.testing.assert_array_equal(index.get_items([1000])[0], X[0] - 50)
    assert index.get_items([1000], return_type="list") == [(X[0] - 50).tolist()]


def test_delete_unmark_replace():
    X = _data(50)
    index = _index(X, capacity=50, allow_replace_deleted=True)
    index.mark_deleted(7)
    assert 7 not in index.knn_query(X[7], k=5)[0]
    with pytest.raises(RuntimeError, match="already deleted"):
        index.mark_deleted(7)
    with pytest.raises(RuntimeError, match="Label not found"):
        index.mark_deleted(12345)
    with pytest.raises(RuntimeError, match="not deleted"):
        index.unmark_deleted(8)
    with pytest.raises(RuntimeError, match="Label not found"):
        index.get_items([7])
    assert index.element_count == 50 and 7 in index.get_ids_list()
    with pytest.raises(RuntimeError, match="update deleted elements"):
        index.add_items(X[7], ids=[7])
    index.add_items(X[0] + 9, ids=[500], replace_deleted=True)
    assert index.element_count == 50
    assert 7 not in index.get_ids_list() and 500 in index.get_ids_list()
    assert index.knn_query(X[0] + 9, k=1)[0][0, 0] == 500
    with pytest.raises(RuntimeError, match="exceeds"):
        index.add_items(X[:1] + 1, ids=[501], replace_deleted=True)
    index.mark_deleted(9)
    index.unmark_deleted(9)
    assert index.knn_query(X[9], k=1)[0][0, 0] == 9
    plain = _index(X)
    with pytest.raises(RuntimeError, match="disabled in constructor"):
        plain.add_items(X[:1], replace_deleted=True)
    plain.mark_deleted(3)
    plain.add_items(X[3], ids=[3])  # an update undeletes (hnswlib)
    assert plain.knn_query(X[3], k=1)[0][0, 0] == 3


def test_filters_agree_and_selective_filter_is_exact():
    X = _data(2000, 8)
    index = _index(X)
    index.set_ef(200)
    Q = _data(20, 8, seed=3)
    even = np.arange(0, 2000, 2)
    mask = np.zeros(2000, dtype=bool)
    mask[even] = True
    by_fn = index.knn_query(Q, k=5, filter=lambda label: label % 2 == 0)
    by_ids = index.knn_query(Q, k=5, filter=even)
    by_mask = index.knn_query(Q, k=5, filter=mask)
    np.testing.assert_array_equal(by_fn[0], by_ids[0])
    np.testing.assert_array_equal(by_fn[0], by_mask[0])
    assert np.all(by_ids[0] % 2 == 0)
    truth, _ = brute_knn(Q, X, 5, 0, even)
    assert recall(by_ids[0].astype(np.int64), truth) >= 0.95
    few = np.array([5, 77, 1500, 1999])
    labels, _ = index.knn_query(Q, k=3, filter=few)
    truth, _ = brute_knn(Q, X, 3, 0, few)
    np.testing.assert_array_equal(labels.astype(np.int64), truth)
    with pytest.raises(RuntimeError, match="contiguous"):
        index.knn_query(Q, k=5, filter=few)
    with pytest.raises(TypeError, match="filter"):
        index.knn_query(Q, k=1, filter=np.array([0.5]))


def test_save_load_identical(tmp_path):
    X = _data()
    index = _index(X, space="cosine")
    index.mark_deleted(4)
    index.set_ef(25)
    path = tmp_path / "index.bin"
    index.save_index(str(path))
    assert path.stat().st_size == index.index_file_size()
    loaded = Index("cosine", 8)
    loaded.load_index(str(path))
    assert loaded.ef == 10 and loaded.max_elements == 600
    loaded.set_ef(25)
    a = index.knn_query(X[:50], k=5)
    b = loaded.knn_query(X[:50], k=5)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    loaded.load_index(path, max_elements=1000)
    assert loaded.max_elements == 1000
    with pytest.raises(ValueError, match="dim=8"):
        Index("l2", 8).load_index(path)


def test_corrupted_files_are_rejected(tmp_path):
    index = _index(_data(100))
    path = tmp_path / "index.bin"
    index.save_index(path)
    raw = path.read_bytes()
    cases = {
        "truncated": raw[: len(raw) // 2],
        "tampered": raw[:200] + bytes([raw[200] ^ 1]) + raw[201:],
        "magic": b"XXXXXXXX" + raw[8:],
        "empty": b"",
    }
    for name, content in cases.items():
        bad = tmp_path / f"{name}.bin"
        bad.write_bytes(content)
        with pytest.raises(ValueError):
            Index("l2", 8).load_index(bad)
    version = tmp_path / "version.bin"
    version.write_bytes(raw[:8] + (99).to_bytes(4, "little") + raw[12:])
    with pytest.raises(ValueError, match="version 99"):
        Index("l2", 8).load_index(version)


def test_pickle_round_trip_and_validation():
    X = _data()
    index = _index(X)
    index.set_ef(33)
    clone = pickle.loads(pickle.dumps(index))
    assert clone.ef == 33 and clone.element_count == 600
    np.testing.assert_array_equal(
        index.knn_query(X[:20], k=3)[0], clone.knn_query(X[:20], k=3)[0]
    )
    state = index.__getstate__()
    state["graph"]["links0"][0, 1] = 10**6  # a link to a node that does not exist
    with pytest.raises(ValueError, match="Corrupted"):
        Index("l2", 8).__setstate__(state)
    empty = pickle.loads(pickle.dumps(Index("ip", 3)))
    assert empty.space == "ip" and empty.max_elements == 0


def test_inputs_unchanged_readonly_and_f_order():
    X = _data(200)
    X_ro = X.copy()
    X_ro.flags.writeable = False
    X_f = np.asfortranarray(X)
    before = X_f.copy()
    a = _index(X_ro, space="cosine")
    b = _index(X_f, space="cosine")
    np.testing.assert_array_equal(X_f, before)
    np.testing.assert_array_equal(
        a.knn_query(X_ro[:10], k=3)[0], b.knn_query(X_f[:10], k=3)[0]
    )
    norms = np.linalg.norm(a.get_items([0, 1]), axis=1)
    np.testing.assert_allclose(norms, 1.0, rtol=1e-6)
    c = _index(X.astype(np.float64).tolist() and X.astype(np.float64))
    np.testing.assert_array_equal(
        c.knn_query(X[:5], k=2)[0], _index(X).knn_query(X[:5], k=2)[0]
    )


def test_estimator_kneighbors():
    X = _data(800, 6).astype(np.float64)
    nn = HNSWNearestNeighbors(n_neighbors=4, ef=100).fit(X)
    dist, idx = nn.kneighbors(X[:30])
    assert idx.dtype == np.int64 and dist.dtype == np.float64
    truth, truth_d = brute_knn(X[:30], X, 4, 0)
    assert recall(idx, truth) >= 0.97
    np.testing.assert_allclose(dist[:, 0], 0.0, atol=1e-6)
    dist, idx = nn.kneighbors()
    assert not np.any(idx == np.arange(800)[:, None])
    truth, _ = brute_knn(X, X, 5, 0)
    assert recall(idx, truth[:, 1:]) >= 0.95
    with pytest.raises(ValueError, match="n_neighbors <= n_samples_fit"):
        nn.kneighbors(X[:2], n_neighbors=801)
    with pytest.raises(ValueError, match="features"):
        nn.kneighbors(X[:2, :3])
    with pytest.raises(ValueError, match="metric"):
        HNSWNearestNeighbors(metric="manhattan").fit(X)
    cos = HNSWNearestNeighbors(n_neighbors=2, metric="cosine").fit(X)
    assert cos.kneighbors(X[:3], return_distance=False)[:, 0].tolist() == [0, 1, 2]
