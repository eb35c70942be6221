"""FastTextSubwords against the fastText library (the ``fasttext`` / ``fasttext-wheel``
package): subword rows and word vectors of a small model trained here.

Rows are integers: compared exactly. Word vectors are compared exactly too:
fastText sums the rows in float32 in the order of its subword list and multiplies
by 1/n rounded to float32, which is what FastTextSubwords does.
"""

from __future__ import annotations

import numpy as np
import pytest
from naive.tokenizers import varied_texts
from numpy.testing import assert_array_equal

from fastml.nn.tokenizers import FastTextSubwords

fasttext = pytest.importorskip("fasttext")


@pytest.fixture(scope="module", params=[(3, 6, 5000), (2, 4, 997), (1, 3, 300)])
def model(request, tmp_path_factory):
    minn, maxn, bucket = request.param
    words = " ".join(" ".join(varied_texts(n_random=20, seed=0)[:80]).split())
    path = tmp_path_factory.mktemp("ft") / "corpus.txt"
    path.write_text((words + "\n") * 3, encoding="utf-8")
    ft = fasttext.train_unsupervised(
        str(path), model="skipgram", dim=6, epoch=1, minCount=2, minn=minn,
        maxn=maxn, bucket=bucket, thread=1, verbose=0,
    )  # fmt: skip
    return ft, FastTextSubwords(ft.get_words(), minn=minn, maxn=maxn, bucket=bucket)


def _queries(ft):
    vocab = list(ft.get_words())
    oov = ["", "a", "xyzzy", "naïveté", "日本語テキスト", "😀😀", "Ωmega", "wher"]
    oov += [w + "s" for w in vocab[:30]]
    return vocab + oov


def test_subword_rows(model):
    ft, ours = model
    words = _queries(ft)
    indptr, ids = ours.subword_ids(words)
    for i, word in enumerate(words):
        expected = ft.get_subwords(word)[1]
        assert_array_equal(ids[indptr[i] : indptr[i + 1]], expected, err_msg=word)
        assert_array_equal(ours.subword_ids(word), expected)


def test_word_vectors(model):
    ft, ours = model
    words = [w for w in _queries(ft) if w != "</s>"]
    matrix = ft.get_input_matrix()
    got = ours.word_vectors(words, matrix)
    assert got.dtype == np.float32
    expected = np.array([ft.get_word_vector(w) for w in words])
    assert_array_equal(got, expected)
