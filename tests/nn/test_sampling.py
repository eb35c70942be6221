"""fastml.nn.sampling: greedy, temperature, top-k, top-p, seeded draws, generate."""

import numpy as np
import pytest
from naive.sampling import naive_filtered_probabilities, naive_greedy
from scipy.stats import chisquare

from fastml.nn import sampling
from fastml.nn._decoder import DecoderConfig, GPTDecoder
from fastml.nn.sampling import (
    filter_logits,
    filtered_probabilities,
    generate,
    greedy,
    sample,
)

# Significance level of the goodness-of-fit tests. With a fixed seed each test is
# deterministic; the level says how unlikely a pass-to-fail flip would be for a
# correct sampler if the seed were changed.
ALPHA = 1e-3


def _logits_with_ties(rng, shape, n_levels=6):
    """Logits drawn from a few levels so that ties are common."""
    return rng.integers(0, n_levels, size=shape).astype(np.float64) * 0.7


# ----------------------------------------------------------------- greedy
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_greedy_equals_argmax(dtype):
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((7, 50)).astype(dtype)
    np.testing.assert_array_equal(greedy(logits), np.argmax(logits, axis=1))
    assert greedy(logits[3]) == np.argmax(logits[3])
    assert greedy(logits).dtype == np.int64


def test_greedy_ties_go_to_lowest_id():
    rng = np.random.default_rng(1)
    logits = _logits_with_ties(rng, (40, 9))
    expected = [naive_greedy(list(row)) for row in logits]
    np.testing.assert_array_equal(greedy(logits), expected)
    assert greedy([1.0, 5.0, 5.0, -np.inf]) == 1


def test_top_k_one_equals_greedy():
    rng = np.random.default_rng(2)
    logits = np.concatenate(
        [rng.standard_normal((20, 30)), _logits_with_ties(rng, (20, 30))]
    )
    for seed in range(5):
        drawn = sample(logits, top_k=1, temperature=1.7, random_state=seed)
        np.testing.assert_array_equal(drawn, greedy(logits))


def test_temperature_zero_is_greedy():
    rng = np.random.default_rng(3)
    logits = _logits_with_ties(rng, (30, 12))
    np.testing.assert_array_equal(
        sample(logits, temperature=0, random_state=0), greedy(logits)
    )
    probs = filtered_probabilities(logits, temperature=0.0)
    np.testing.assert_array_equal(probs.argmax(axis=1), greedy(logits))
    np.testing.assert_array_equal(probs.max(axis=1), 1.0)


def test_temperature_towards_zero_tends_to_greedy():
    # Same row repeated: each draw is independent. The share of draws equal to the
    # argmax must rise as the temperature falls, and reach 1 once the gap between
    # the two best logits (0.5) divided by T dwarfs log(vocab).
    logits = np.array([0.0, 1.5, 2.0, 1.0, -1.0, 0.5])
    rows = np.tile(logits, (4000, 1))
    shares = []
    for temperature in (5.0, 1.0, 0.3, 0.1, 0.01):
        drawn = sample(rows, temperature=temperature, random_state=7)
        shares.append(np.mean(drawn == 2))
    assert all(a < b for a, b in zip(shares[:-2], shares[1:-1]))
    assert shares[-1] == 1.0


def test_tiny_and_huge_temperatures_are_stable():
    logits = np.array([[0.0, 1e4, -1e4, 3.0]])
    probs = filtered_probabilities(logits, temperature=1e-300)
    np.testing.assert_array_equal(probs, [[0.0, 1.0, 0.0, 0.0]])
    flat = filtered_probabilities(logits[:, [0, 3]], temperature=1e300)
    np.testing.assert_allclose(flat, 0.5)
    assert np.isfinite(filter_logits(logits, temperature=1e-300)[0, 1])


# ----------------------------------------------------------------- filters vs naive
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("ties", [False, True])
def test_filtered_probabilities_match_naive(seed, ties):
    rng = np.random.default_rng(seed)
    shape = (12, 25)
    logits = _logits_with_ties(rng, shape) if ties else 2 * rng.standard_normal(shape)
    for temperature in (0.5, 1.0, 2.0):
        for top_k in (None, 1, 3, 10, 25, 40):
            for top_p in (None, 0.05, 0.3, 0.5, 0.9, 0.999, 1.0):
                got = filtered_probabilities(
                    logits, temperature=temperature, top_k=top_k, top_p=top_p
                )
                expected = np.array(
                    [
                        naive_filtered_probabilities(row, temperature, top_k, top_p)
                        for row in logits
                    ]
                )
                # Same support exactly; values to float64 rounding.
                np.testing.assert_array_equal(got > 0, expected > 0)
                np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


def test_top_p_keeps_the_smallest_set_reaching_p():
    rng = np.random.default_rng(11)
    logits = 1.5 * rng.standard_normal((50, 40))
    full = filtered_probabilities(logits)
    for top_p in (0.1, 0.42, 0.8, 0.95):
        kept = filtered_probabilities(logits, top_p=top_p) > 0
        for row, keep in zip(full, kept):
            mass = row[keep].sum()
            assert mass >= top_p
            # Without its least likely member, the kept set falls short of p ...
            assert mass - row[keep].min() < top_p
            # ... and it holds the most likely tokens.
            assert row[keep].min() >= row[~keep].max(initial=0.0)


def test_top_p_tie_rule_lowest_ids_first():
    # Four equally likely tokens (ids 1, 2, 4, 5), each with probability `share`.
    logits = np.array([1.0, 3.0, 3.0, 0.0, 3.0, 3.0])
    share = filtered_probabilities(logits)[1]
    # 1.5 shares need two of the tied tokens: the two lowest ids; 2.5 need three.
    probs = filtered_probabilities(logits, top_p=1.5 * share)
    assert np.flatnonzero(probs).tolist() == [1, 2]
    probs = filtered_probabilities(logits, top_p=2.5 * share)
    assert np.flatnonzero(probs).tolist() == [1, 2, 4]
    # The boundary token is kept: p just above one token's mass needs two.
    probs = filtered_probabilities(logits, top_p=share * 1.01)
    assert np.flatnonzero(probs).tolist() == [1, 2]
    # p at most one token's mass keeps one.
    probs = filtered_probabilities(logits, top_p=share * 0.99)
    assert np.flatnonzero(probs).tolist() == [1]


def test_top_k_tie_rule_exactly_k():
    logits = np.array([2.0, 5.0, 2.0, 5.0, 2.0, 1.0])
    kept = np.isfinite(filter_logits(logits, top_k=3))
    assert np.flatnonzero(kept).tolist() == [0, 1, 3]
    # k beyond the vocabulary keeps everything.
    assert np.isfinite(filter_logits(logits, top_k=100)).all()


def test_filter_logits_is_scaled_and_masked():
    logits = np.array([[1.0, 2.0, 4.0, 3.0]])
    out = filter_logits(logits, temperature=2.0, top_k=2)
    np.testing.assert_array_equal(out, [[-np.inf, -np.inf, 0.0, -0.5]])
    np.testing.assert_allclose(
        np.exp(out) / np.exp(out).sum(),
        filtered_probabilities(logits, temperature=2.0, top_k=2),
    )


# ----------------------------------------------------------------- random draws
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"temperature": 0.7},
        {"top_k": 5},
        {"top_p": 0.8},
        {"temperature": 1.3, "top_k": 7, "top_p": 0.9},
    ],
)
def test_empirical_frequencies_match_filtered_distribution(params):
    rng = np.random.default_rng(5)
    logits = rng.standard_normal(10)
    n_draws = 20000
    drawn = sample(np.tile(logits, (n_draws, 1)), random_state=123, **params)
    expected = np.array(naive_filtered_probabilities(logits, **params))
    support = expected > 0
    counts = np.bincount(drawn, minlength=logits.size)
    # Filtered tokens are never drawn.
    assert counts[~support].sum() == 0
    if support.sum() > 1:
        result = chisquare(counts[support], n_draws * expected[support])
        assert result.pvalue > ALPHA


def test_draws_row_by_row_match_batched_distribution():
    # Rows of different distributions sampled in one batch: per row frequencies.
    rng = np.random.default_rng(6)
    logits = rng.standard_normal((3, 6))
    n_draws = 15000
    batch = np.repeat(logits, n_draws, axis=0)
    drawn = sample(batch, top_p=0.95, random_state=9).reshape(3, n_draws)
    for row, draws in zip(logits, drawn):
        expected = np.array(naive_filtered_probabilities(row, top_p=0.95))
        support = expected > 0
        counts = np.bincount(draws, minlength=row.size)
        assert counts[~support].sum() == 0
        assert chisquare(counts[support], n_draws * expected[support]).pvalue > ALPHA


def test_masked_tokens_never_drawn():
    logits = np.array([0.0, -np.inf, 0.0, -np.inf, -30.0])
    drawn = sample(np.tile(logits, (5000, 1)), random_state=0)
    assert not np.isin(drawn, [1, 3]).any()


def test_same_seed_same_tokens():
    rng = np.random.default_rng(8)
    logits = rng.standard_normal((64, 30))
    a = sample(logits, temperature=1.2, top_p=0.9, random_state=42)
    b = sample(logits, temperature=1.2, top_p=0.9, random_state=42)
    c = sample(logits, temperature=1.2, top_p=0.9, random_state=43)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    g1 = np.random.default_rng(3)
    g2 = np.random.default_rng(3)
    np.testing.assert_array_equal(
        [sample(logits[0], random_state=g1) for _ in range(20)],
        [sample(logits[0], random_state=g2) for _ in range(20)],
    )
    r = sample(logits, random_state=np.random.RandomState(0))
    np.testing.assert_array_equal(r, sample(logits, random_state=0))


def test_single_token_vocabulary_and_dtypes():
    assert sample([[3.0]], random_state=0).tolist() == [0]
    assert greedy(np.array([1, 4, 2], dtype=np.int32)) == 1
    out = sample(np.zeros(5, np.float32), random_state=0)
    assert isinstance(out, np.int64)


def test_inputs_not_modified():
    rng = np.random.default_rng(10)
    logits = rng.standard_normal((4, 20)).astype(np.float32)
    before = logits.copy()
    logits.flags.writeable = False
    sample(logits, temperature=0.5, top_k=5, top_p=0.7, random_state=0)
    filter_logits(logits, top_k=3)
    np.testing.assert_array_equal(logits, before)


# ----------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"temperature": -0.1}, ValueError, "temperature"),
        ({"temperature": np.inf}, ValueError, "temperature"),
        ({"temperature": np.nan}, ValueError, "temperature"),
        ({"temperature": "hot"}, TypeError, "temperature"),
        ({"top_k": 0}, ValueError, "top_k"),
        ({"top_k": -3}, ValueError, "top_k"),
        ({"top_k": 2.5}, TypeError, "top_k"),
        ({"top_k": True}, TypeError, "top_k"),
        ({"top_p": 0.0}, ValueError, "top_p"),
        ({"top_p": 1.5}, ValueError, "top_p"),
        ({"top_p": -0.2}, ValueError, "top_p"),
        ({"top_p": np.nan}, ValueError, "top_p"),
    ],
)
def test_bad_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        sample(np.zeros(4), random_state=0, **kwargs)
    with pytest.raises(error, match=match):
        filter_logits(np.zeros(4), **kwargs)


@pytest.mark.parametrize(
    "logits, match",
    [
        (np.array([0.0, np.nan, 1.0]), "NaN"),
        (np.array([0.0, np.inf]), r"\+inf"),
        (np.array([[0.0, 1.0], [-np.inf, -np.inf]]), "finite"),
        (np.zeros(0), "empty"),
        (np.zeros((0, 4)), "empty"),
        (np.zeros((2, 3, 4)), "shape"),
        (np.array(["a", "b"]), "numeric"),
        (np.array([1 + 2j]), "real"),
        (np.array(3.0), "shape"),
    ],
)
def test_bad_logits(logits, match):
    for fn in (greedy, sample, filter_logits, filtered_probabilities):
        with pytest.raises(ValueError, match=match):
            fn(logits)


# ----------------------------------------------------------------- generate
@pytest.fixture(scope="module")
def small_model():
    config = DecoderConfig(
        vocab_size=37,
        n_positions=24,
        d_model=16,
        n_heads=2,
        n_layers=2,
        tie_word_embeddings=False,
    )
    model = GPTDecoder(config, random_state=0)
    # A stronger output projection than GPT-2's 0.02 init, so that the next-token
    # distributions are far from uniform (top probabilities ~0.3-0.75). Untied:
    # a tied head with strong embeddings makes greedy decoding repeat the last
    # token forever, which would make the eos test vacuous.
    model.lm_head.weight *= 30
    return model


def test_generate_greedy_equals_repeated_argmax(small_model):
    prompt = np.array([[3, 1, 4], [1, 5, 9]])
    out = generate(small_model, prompt, 8)
    assert out.shape == (2, 11)
    np.testing.assert_array_equal(out[:, :3], prompt)
    seq = prompt.copy()
    for _ in range(8):
        nxt = np.argmax(small_model(seq)[:, -1], axis=1)
        seq = np.concatenate([seq, nxt[:, None]], axis=1)
    np.testing.assert_array_equal(out, seq)


@pytest.mark.parametrize(
    "params",
    [
        {"strategy": "greedy"},
        {"strategy": "sample", "random_state": 0},
        {"strategy": "sample", "temperature": 0.8, "top_k": 10, "random_state": 1},
        {"strategy": "sample", "top_p": 0.9, "random_state": 2},
    ],
)
def test_generate_with_cache_equals_without(small_model, params):
    prompt = np.array([[2, 7, 1, 8], [2, 8, 1, 8], [0, 0, 0, 1]])
    cached = generate(small_model, prompt, 12, **params)
    recomputed = generate(small_model, prompt, 12, use_cache=False, **params)
    np.testing.assert_array_equal(cached, recomputed)


def test_generate_seeded(small_model):
    prompt = np.array([5, 6])
    a = generate(small_model, prompt, 15, strategy="sample", random_state=4)
    b = generate(small_model, prompt, 15, strategy="sample", random_state=4)
    c = generate(small_model, prompt, 15, strategy="sample", random_state=5)
    assert a.shape == (17,)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    # top_k = 1 sampling is greedy decoding.
    np.testing.assert_array_equal(
        generate(small_model, prompt, 15, strategy="sample", top_k=1, random_state=4),
        generate(small_model, prompt, 15),
    )


def test_generate_eos_and_padding(small_model):
    prompt = np.array([[3, 1, 4], [1, 5, 9]])
    free = generate(small_model, prompt, 10)
    eos = int(free[0, 5])  # the 3rd token generated for the first sequence
    out = generate(small_model, prompt, 10, eos_token_id=eos, pad_token_id=0)
    for row, ref in zip(out, free):
        generated = ref[3:]
        hits = np.flatnonzero(generated == eos)
        if hits.size:
            stop = 3 + hits[0] + 1
            np.testing.assert_array_equal(row[:stop], ref[:stop])
            assert (row[stop:] == 0).all()
        else:
            np.testing.assert_array_equal(row, ref[: row.size])
    # Every sequence finishing stops generation early.
    single = generate(small_model, prompt[0], 10, eos_token_id=eos)
    assert single.size == 6 and single[-1] == eos


def test_generate_zero_new_tokens(small_model):
    prompt = np.array([[1, 2, 3]])
    out = generate(small_model, prompt, 0)
    np.testing.assert_array_equal(out, prompt)
    assert out is not prompt


def test_generate_bad_input(small_model):
    with pytest.raises(ValueError, match="n_positions"):
        generate(small_model, np.arange(20), 5)
    with pytest.raises(ValueError, match="empty"):
        generate(small_model, np.zeros((1, 0), dtype=np.int64), 3)
    with pytest.raises(ValueError, match="integers"):
        generate(small_model, np.array([1.0, 2.0]), 3)
    with pytest.raises(ValueError, match="vocab_size"):
        generate(small_model, np.array([1, 99]), 3)
    with pytest.raises(ValueError, match="max_new_tokens"):
        generate(small_model, np.array([1]), -1)
    with pytest.raises(ValueError, match="strategy"):
        generate(small_model, np.array([1]), 2, strategy="beam")
    with pytest.raises(ValueError, match="strategy='sample'"):
        generate(small_model, np.array([1]), 2, top_k=3)
    with pytest.raises(ValueError, match="eos_token_id"):
        generate(small_model, np.array([1]), 2, eos_token_id=37)


def test_public_submodule():
    import fastml.nn

    assert fastml.nn.sampling is sampling
    assert set(sampling.__all__) >= {"greedy", "sample", "generate"}
