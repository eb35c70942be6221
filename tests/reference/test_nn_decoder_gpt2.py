"""GPTDecoder vs transformers' GPT2LMHeadModel with the same (random) weights.

The reference models are built locally from a GPT2Config (no download); their
parameters are perturbed away from GPT-2's initialisation (non-zero biases,
LayerNorm scales and shifts, larger weights) so that every parameter matters and
the logits span a range of several units.
"""

import os

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from fastml.nn import GPTDecoder  # noqa: E402
from fastml.nn.sampling import generate  # noqa: E402

# float32 logits: both sides compute in float32 with different summation orders
# (BLAS blockings, torch's fused attention, fastml's float64 LayerNorm statistics),
# so differences are a few ulps of logits of magnitude ~3.6 (observed <= 2.3e-6).
# The issue asks for 1e-5.
ATOL = 1e-5

CONFIGS = {
    "gelu_new": dict(n_embd=32, n_head=4, n_layer=3),
    "exact_gelu_untied_n_inner": dict(
        n_embd=48,
        n_head=3,
        n_layer=2,
        n_inner=80,
        activation_function="gelu",
        tie_word_embeddings=False,
    ),
    "eps_gelu_pytorch_tanh": dict(
        n_embd=64,
        n_head=8,
        n_layer=2,
        layer_norm_epsilon=1e-3,
        activation_function="gelu_pytorch_tanh",
    ),
}


def _reference(name):
    torch.manual_seed(0)
    torch.set_num_threads(2)
    config = transformers.GPT2Config(
        vocab_size=97,
        n_positions=48,
        bos_token_id=0,
        eos_token_id=0,
        **CONFIGS[name],
    )
    model = transformers.GPT2LMHeadModel(config).eval()
    gen = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for pname, param in model.named_parameters():
            noise = torch.randn(param.shape, generator=gen)
            if pname.endswith("bias") or "ln_" in pname:
                param.add_(0.2 * noise)
            else:
                param.mul_(5.0).add_(0.05 * noise)
    state = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    return model, config, state


@pytest.fixture(scope="module", params=sorted(CONFIGS))
def pair(request):
    model, config, state = _reference(request.param)
    ours = GPTDecoder.from_gpt2_state_dict(state, config)
    return model, ours


def _torch_logits(model, ids):
    with torch.no_grad():
        return model(torch.from_numpy(ids)).logits.numpy()


def test_logits_match(pair):
    model, ours = pair
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 97, size=(3, 40))
    expected = _torch_logits(model, ids)
    got = ours(ids)
    assert got.dtype == np.float32
    assert np.ptp(expected) > 5  # the comparison is not trivially small numbers
    np.testing.assert_allclose(got, expected, rtol=0, atol=ATOL)


def test_cached_decoding_matches(pair):
    model, ours = pair
    rng = np.random.default_rng(1)
    ids = rng.integers(0, 97, size=(2, 48))
    expected = _torch_logits(model, ids)
    cache = ours.new_cache(2)
    parts = [ours(ids[:, :10], cache=cache)]
    parts += [ours(ids[:, t : t + 1], cache=cache) for t in range(10, 48)]
    np.testing.assert_allclose(
        np.concatenate(parts, axis=1), expected, rtol=0, atol=ATOL
    )


def test_greedy_generation_matches(pair):
    model, ours = pair
    prompt = np.array([[5, 17, 3, 60], [8, 8, 1, 90]])
    with torch.no_grad():
        expected = model.generate(
            torch.from_numpy(prompt),
            attention_mask=torch.ones(prompt.shape, dtype=torch.long),
            max_new_tokens=20,
            do_sample=False,
            eos_token_id=None,
            pad_token_id=0,
        ).numpy()
    got = generate(ours, prompt, 20)
    np.testing.assert_array_equal(got, expected)
