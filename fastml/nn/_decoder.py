"""A GPT-style causal decoder on numpy arrays, with a key/value cache.

The model: token and position embeddings summed, ``n_layers`` pre-LayerNorm blocks

    h = h + out_proj(attention(ln_1(h)))      causal multi-head self-attention
    h = h + proj(gelu(fc(ln_2(h))))           MLP

a final LayerNorm and an output projection onto the vocabulary, tied to the token
embedding by default. This is GPT-2's architecture, and
:meth:`GPTDecoder.from_gpt2_state_dict` loads GPT-2 checkpoints (Hugging Face
``GPT2LMHeadModel`` / ``GPT2Model`` parameter names and layout) as they are.

Every affine map is a :class:`fastml.nn._layers.Linear` held as an attribute of the
model or of a block in ``model.blocks``, so :func:`fastml.nn.quantize.quantize_model`
can walk the model and swap them; the forward pass only ever calls the layers.
Attention runs through :func:`fastml.nn.scaled_dot_product_attention`.

Key/value cache
---------------
``model.new_cache(batch_size)`` returns a :class:`KVCache`: per layer, key and value
buffers of shape ``(batch_size, n_heads, capacity, head_dim)``. A forward pass with
the cache writes the new tokens' keys and values at positions
``start_pos .. start_pos + L - 1`` and lets the new queries attend to every cached
position up to their own (the causal mask aligned bottom-right, as the new tokens
come last). The buffers grow by doubling up to ``n_positions`` when a pass needs
more room; pass ``capacity`` to allocate once. Decoding token by token with the
cache computes the same logits as recomputing the whole sequence, up to float
rounding (tested to 1e-5 in float32).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from fastml.nn._kv_cache import KVCache, _positive_int
from fastml.nn._layers import Embedding, LayerNorm, Linear, call_layer
from fastml.utils.validation import check_random_state

__all__ = ["DecoderConfig", "GPTDecoder", "KVCache"]

_ACTIVATIONS = ("gelu", "gelu_tanh")
# GPT-2 config names of the activations: gelu_new, gelu_pytorch_tanh and gelu_fast
# are all the tanh approximation (written differently); "gelu" is the exact erf form.
_GPT2_ACTIVATIONS = {
    "gelu": "gelu",
    "gelu_new": "gelu_tanh",
    "gelu_pytorch_tanh": "gelu_tanh",
    "gelu_fast": "gelu_tanh",
    "gelu_tanh": "gelu_tanh",
}


@dataclasses.dataclass(frozen=True)
class DecoderConfig:
    """Sizes and options of a :class:`GPTDecoder` (defaults: GPT-2 small).

    Parameters
    ----------
    vocab_size : int, default=50257
        Number of token ids.
    n_positions : int, default=1024
        Longest sequence (prompt plus generated tokens) the model can process.
    d_model : int, default=768
        Width of the residual stream; a multiple of ``n_heads``.
    n_heads : int, default=12
        Attention heads per layer (head size ``d_model // n_heads``).
    n_layers : int, default=12
        Number of blocks.
    d_ff : int or None, default=None
        Hidden width of the MLP; None means ``4 * d_model``.
    layer_norm_eps : float, default=1e-5
        Added to the variance in every LayerNorm.
    activation : {"gelu", "gelu_tanh"}, default="gelu_tanh"
        MLP non-linearity: the exact erf GELU or its tanh approximation (GPT-2's
        ``gelu_new``).
    tie_word_embeddings : bool, default=True
        Whether the output projection reuses the token embedding matrix.
    """

    vocab_size: int = 50257
    n_positions: int = 1024
    d_model: int = 768
    n_heads: int = 12
    n_layers: int = 12
    d_ff: int | None = None
    layer_norm_eps: float = 1e-5
    activation: str = "gelu_tanh"
    tie_word_embeddings: bool = True

    def __post_init__(self) -> None:
        for name in ("vocab_size", "n_positions", "d_model", "n_heads", "n_layers"):
            object.__setattr__(self, name, _positive_int(getattr(self, name), name))
        d_ff = 4 * self.d_model if self.d_ff is None else self.d_ff
        object.__setattr__(self, "d_ff", _positive_int(d_ff, "d_ff"))
        if self.d_model % self.n_heads:
            raise ValueError(
                f"d_model ({self.d_model}) must be a multiple of n_heads "
                f"({self.n_heads})."
            )
        eps = self.layer_norm_eps
        if isinstance(eps, bool) or not isinstance(eps, (int, float, np.floating)):
            raise TypeError(
                f"layer_norm_eps must be a float, got {type(eps).__name__}."
            )
        if not (np.isfinite(eps) and eps > 0):
            raise ValueError(f"layer_norm_eps must be positive, got {eps}.")
        object.__setattr__(self, "layer_norm_eps", float(eps))
        if self.activation not in _ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {_ACTIVATIONS}, got {self.activation!r}."
            )
        if not isinstance(self.tie_word_embeddings, (bool, np.bool_)):
            raise TypeError("tie_word_embeddings must be a bool.")
        object.__setattr__(self, "tie_word_embeddings", bool(self.tie_word_embeddings))

    @property
    def head_dim(self) -> int:
        """Size of one attention head, ``d_model // n_heads``."""
        return self.d_model // self.n_heads

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict (``DecoderConfig(**d)`` rebuilds the config)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_gpt2_config(cls, config: Any) -> DecoderConfig:
        """Translate a GPT-2 configuration (a ``config.json`` dict or an object with
        ``to_dict()``, such as transformers' ``GPT2Config``).

        Raises
        ------
        ValueError
            For GPT-2 options this decoder does not implement: unscaled attention
            (``scale_attn_weights=False``), ``scale_attn_by_inverse_layer_idx`` and
            activations other than the GELU forms.
        """
        if not isinstance(config, Mapping):
            if not hasattr(config, "to_dict"):
                raise TypeError(
                    "config must be a mapping or have a to_dict() method, got "
                    f"{type(config).__name__}."
                )
            config = config.to_dict()
        missing = [k for k in ("n_embd", "n_head", "n_layer") if k not in config]
        if missing:
            raise ValueError(f"GPT-2 config lacks the keys {missing}.")
        if not config.get("scale_attn_weights", True):
            raise ValueError("scale_attn_weights=False is not supported.")
        if config.get("scale_attn_by_inverse_layer_idx", False):
            raise ValueError("scale_attn_by_inverse_layer_idx=True is not supported.")
        if config.get("add_cross_attention", False):
            raise ValueError("add_cross_attention=True is not supported.")
        act = config.get("activation_function", "gelu_new")
        if act not in _GPT2_ACTIVATIONS:
            raise ValueError(
                f"activation_function {act!r} is not supported (one of "
                f"{sorted(_GPT2_ACTIVATIONS)})."
            )
        return cls(
            vocab_size=config.get("vocab_size", 50257),
            n_positions=config.get("n_positions", 1024),
            d_model=config["n_embd"],
            n_heads=config["n_head"],
            n_layers=config["n_layer"],
            d_ff=config.get("n_inner"),
            layer_norm_eps=config.get("layer_norm_epsilon", 1e-5),
            activation=_GPT2_ACTIVATIONS[act],
            tie_word_embeddings=config.get("tie_word_embeddings", True),
        )


class DecoderBlock:
    """One pre-LayerNorm transformer block (causal self-attention, then an MLP).

    Attributes
    ----------
    ln_1, ln_2 : LayerNorm
    qkv : Linear
        Fused query/key/value projection, weight ``(3 * d_model, d_model)`` with
        the query rows first, then key, then value (heads contiguous within each).
    out_proj : Linear
        Attention output projection ``(d_model, d_model)``.
    fc, proj : Linear
        MLP ``(d_ff, d_model)`` and ``(d_model, d_ff)``.
    """

    def __init__(
        self,
        ln_1: LayerNorm,
        qkv: Linear,
        out_proj: Linear,
        ln_2: LayerNorm,
        fc: Linear,
        proj: Linear,
    ) -> None:
        self.ln_1 = ln_1
        self.qkv = qkv
        self.out_proj = out_proj
        self.ln_2 = ln_2
        self.fc = fc
        self.proj = proj

    def __repr__(self) -> str:
        return f"DecoderBlock(qkv={self.qkv!r}, fc={self.fc!r})"


# Parameter names of a block (relative to "blocks.{i}.") and their shapes.
def _block_shapes(config: DecoderConfig) -> dict[str, tuple[int, ...]]:
    d, f = config.d_model, config.d_ff
    assert f is not None
    return {
        "ln_1.weight": (d,),
        "ln_1.bias": (d,),
        "qkv.weight": (3 * d, d),
        "qkv.bias": (3 * d,),
        "out_proj.weight": (d, d),
        "out_proj.bias": (d,),
        "ln_2.weight": (d,),
        "ln_2.bias": (d,),
        "fc.weight": (f, d),
        "fc.bias": (f,),
        "proj.weight": (d, f),
        "proj.bias": (d,),
    }


def _parameter_shapes(config: DecoderConfig) -> dict[str, tuple[int, ...]]:
    shapes: dict[str, tuple[int, ...]] = {
        "token_embedding.weight": (config.vocab_size, config.d_model),
        "position_embedding.weight": (config.n_positions, config.d_model),
    }
    block = _block_shapes(config)
    for i in range(config.n_layers):
        shapes.update({f"blocks.{i}.{name}": s for name, s in block.items()})
    shapes["ln_f.weight"] = (config.d_model,)
    shapes["ln_f.bias"] = (config.d_model,)
    if not config.tie_word_embeddings:
        shapes["lm_head.weight"] = (config.vocab_size, config.d_model)
    return shapes


def _random_state_dict(
    config: DecoderConfig, random_state: Any, dtype: np.dtype
) -> dict[str, np.ndarray]:
    """GPT-2's initialisation: weights and embeddings N(0, 0.02^2), the projections
    into the residual stream (out_proj, proj) N(0, (0.02 / sqrt(2 n_layers))^2),
    biases 0, LayerNorm scale 1 and shift 0."""
    rng = check_random_state(random_state)
    residual_std = 0.02 / np.sqrt(2 * config.n_layers)
    params: dict[str, np.ndarray] = {}
    for name, shape in _parameter_shapes(config).items():
        leaf = name.rsplit(".", 2)[-2:]
        if leaf[0].startswith("ln"):
            value = np.full(shape, 1.0 if leaf[1] == "weight" else 0.0)
        elif leaf[1] == "bias":
            value = np.zeros(shape)
        else:
            std = residual_std if leaf[0] in ("out_proj", "proj") else 0.02
            value = std * rng.standard_normal(shape)
        params[name] = value.astype(dtype)
    return params


def _check_dtype(dtype: Any) -> np.dtype:
    dt = np.dtype(dtype)
    if dt not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dt}.")
    return dt


def _causal_mask(n_queries: int, start: int) -> np.ndarray:
    """Boolean mask ``(n_queries, start + n_queries)``, True where query ``i`` (at
    position ``start + i``) may attend to key ``j``: ``j <= start + i``."""
    key_pos = np.arange(start + n_queries)
    query_pos = start + np.arange(n_queries)
    return key_pos[None, :] <= query_pos[:, None]


class GPTDecoder:
    """GPT-style causal language model on numpy arrays (inference only).

    Parameters
    ----------
    config : DecoderConfig
    state_dict : mapping of str to array-like, default=None
        Parameters under this model's own names (those of :meth:`state_dict`:
        ``token_embedding.weight``, ``blocks.{i}.qkv.weight`` ... with Linear
        weights stored ``(out_features, in_features)``). None draws random weights
        as GPT-2 initialises them (see ``random_state``). For GPT-2 checkpoints use
        :meth:`from_gpt2_state_dict`.
    random_state : int, RandomState instance or None, default=None
        Seed of the random weights (ignored with a ``state_dict``): the same seed
        gives the same model.
    dtype : {np.float32, np.float64}, default=np.float32
        Dtype of the parameters, of the computation and of the logits.
    n_jobs : int, default=None
        Threads of the attention and GELU kernels (None means 1, -1 all CPUs).

    Attributes
    ----------
    token_embedding, position_embedding : Embedding
    blocks : list of DecoderBlock
    ln_f : LayerNorm
    lm_head : Linear
        Output projection, weight ``(vocab_size, d_model)``, no bias. When
        ``config.tie_word_embeddings`` it shares its array with the token
        embedding.

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.nn import DecoderConfig, GPTDecoder
    >>> config = DecoderConfig(vocab_size=50, n_positions=16, d_model=8, n_heads=2,
    ...                        n_layers=2)
    >>> model = GPTDecoder(config, random_state=0)
    >>> model(np.array([[1, 2, 3]])).shape
    (1, 3, 50)
    """

    def __init__(
        self,
        config: DecoderConfig,
        state_dict: Mapping[str, Any] | None = None,
        *,
        random_state: Any = None,
        dtype: Any = np.float32,
        n_jobs: int | None = None,
    ) -> None:
        if not isinstance(config, DecoderConfig):
            raise TypeError(
                f"config must be a DecoderConfig, got {type(config).__name__}."
            )
        self.config = config
        self.dtype = _check_dtype(dtype)
        self.n_jobs = n_jobs
        if state_dict is None:
            params = _random_state_dict(config, random_state, self.dtype)
        else:
            params = self._checked_params(state_dict)
        self._build(params)

    # ------------------------------------------------------------------ loading
    def _checked_params(self, state_dict: Mapping[str, Any]) -> dict[str, np.ndarray]:
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"state_dict must be a mapping, got {type(state_dict).__name__}."
            )
        shapes = _parameter_shapes(self.config)
        names = set(state_dict)
        missing = sorted(set(shapes) - names)
        # A tied model accepts (and ignores) an lm_head.weight equal to the embedding.
        unexpected = sorted(names - set(shapes) - {"lm_head.weight"})
        if "lm_head.weight" in names and "lm_head.weight" not in shapes:
            unexpected += self._tied_head_problem(state_dict)
        if missing or unexpected:
            raise ValueError(
                f"state_dict does not match the config: missing {missing[:8]}"
                f"{' ...' if len(missing) > 8 else ''}, unexpected {unexpected[:8]}"
                f"{' ...' if len(unexpected) > 8 else ''}."
            )
        params = {}
        for name, shape in shapes.items():
            array = np.asarray(state_dict[name])
            if array.dtype.kind != "f":
                raise ValueError(
                    f"{name} must hold floating-point numbers, got dtype {array.dtype}."
                )
            if array.shape != shape:
                raise ValueError(
                    f"{name} has shape {array.shape}, the config implies {shape}."
                )
            if not np.isfinite(array).all():
                raise ValueError(f"{name} contains NaN or infinity.")
            # A fresh C-contiguous copy: the model never shares the caller's arrays.
            params[name] = np.array(array, dtype=self.dtype, order="C", copy=True)
        return params

    @staticmethod
    def _tied_head_problem(state_dict: Mapping[str, Any]) -> list[str]:
        head = np.asarray(state_dict["lm_head.weight"])
        emb = np.asarray(state_dict.get("token_embedding.weight", head))
        if head.shape != emb.shape or not np.array_equal(head, emb):
            return ["lm_head.weight (differs from the tied token embedding)"]
        return []

    def _build(self, params: dict[str, np.ndarray]) -> None:
        c = self.config
        eps = c.layer_norm_eps
        self.token_embedding = Embedding(params["token_embedding.weight"])
        self.position_embedding = Embedding(params["position_embedding.weight"])
        self.blocks: list[DecoderBlock] = []
        for i in range(c.n_layers):

            def p(name: str, i: int = i) -> np.ndarray:
                return params[f"blocks.{i}.{name}"]

            self.blocks.append(
                DecoderBlock(
                    ln_1=LayerNorm(p("ln_1.weight"), p("ln_1.bias"), eps),
                    qkv=Linear(p("qkv.weight"), p("qkv.bias")),
                    out_proj=Linear(p("out_proj.weight"), p("out_proj.bias")),
                    ln_2=LayerNorm(p("ln_2.weight"), p("ln_2.bias"), eps),
                    fc=Linear(p("fc.weight"), p("fc.bias")),
                    proj=Linear(p("proj.weight"), p("proj.bias")),
                )
            )
        self.ln_f = LayerNorm(params["ln_f.weight"], params["ln_f.bias"], eps)
        if c.tie_word_embeddings:
            # Linear keeps a C-contiguous array of the right dtype as it is: the
            # head and the embedding share one matrix.
            self.lm_head = Linear(self.token_embedding.weight)
        else:
            self.lm_head = Linear(params["lm_head.weight"])

    @classmethod
    def from_gpt2_state_dict(
        cls,
        state_dict: Mapping[str, Any],
        config: Any,
        *,
        dtype: Any = np.float32,
        n_jobs: int | None = None,
    ) -> GPTDecoder:
        """Load a GPT-2 checkpoint (Hugging Face parameter names and layout).

        Parameters
        ----------
        state_dict : mapping of str to array-like
            ``GPT2LMHeadModel`` names (``transformer.h.{i}.attn.c_attn.weight`` ...)
            or ``GPT2Model`` names (without ``transformer.``). Values are numpy
            arrays or anything ``np.asarray`` converts (CPU torch tensors). GPT-2's
            Conv1D weights are stored ``(in_features, out_features)`` and are
            transposed here; the fused ``c_attn`` keeps its query, key, value order.
            The causal-mask buffers of old checkpoints (``attn.bias``,
            ``attn.masked_bias``) are ignored.
        config : DecoderConfig, GPT-2 config dict or GPT2Config
            The head count cannot be read from the shapes, so a config is needed.
        dtype, n_jobs
            As in :class:`GPTDecoder`.

        Returns
        -------
        GPTDecoder
        """
        if not isinstance(config, DecoderConfig):
            config = DecoderConfig.from_gpt2_config(config)
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"state_dict must be a mapping, got {type(state_dict).__name__}."
            )
        renamed: dict[str, Any] = {}
        ignored = re.compile(r"h\.\d+\.attn\.(bias|masked_bias)$")
        block_names = {
            "ln_1.weight": ("ln_1.weight", False),
            "ln_1.bias": ("ln_1.bias", False),
            "attn.c_attn.weight": ("qkv.weight", True),
            "attn.c_attn.bias": ("qkv.bias", False),
            "attn.c_proj.weight": ("out_proj.weight", True),
            "attn.c_proj.bias": ("out_proj.bias", False),
            "ln_2.weight": ("ln_2.weight", False),
            "ln_2.bias": ("ln_2.bias", False),
            "mlp.c_fc.weight": ("fc.weight", True),
            "mlp.c_fc.bias": ("fc.bias", False),
            "mlp.c_proj.weight": ("proj.weight", True),
            "mlp.c_proj.bias": ("proj.bias", False),
        }
        top_names = {
            "wte.weight": "token_embedding.weight",
            "wpe.weight": "position_embedding.weight",
            "ln_f.weight": "ln_f.weight",
            "ln_f.bias": "ln_f.bias",
        }
        unknown = []
        for key, value in state_dict.items():
            name = key[len("transformer.") :] if key.startswith("transformer.") else key
            if ignored.match(name):
                continue
            if name == "lm_head.weight":
                renamed["lm_head.weight"] = value
                continue
            if name in top_names:
                renamed[top_names[name]] = value
                continue
            match = re.fullmatch(r"h\.(\d+)\.(.+)", name)
            if match and match.group(2) in block_names:
                target, transpose = block_names[match.group(2)]
                array = np.asarray(value)
                if transpose:
                    if array.ndim != 2:
                        raise ValueError(f"{key} must be 2-D, got shape {array.shape}.")
                    array = array.T
                renamed[f"blocks.{match.group(1)}.{target}"] = array
                continue
            unknown.append(key)
        if unknown:
            raise ValueError(f"unexpected GPT-2 parameters: {sorted(unknown)[:8]}.")
        return cls(config, renamed, dtype=dtype, n_jobs=n_jobs)

    def state_dict(self) -> dict[str, np.ndarray]:
        """The parameters under this model's names (copies), loadable with
        ``GPTDecoder(config, state_dict)``.

        Layers that :func:`fastml.nn.quantize.quantize_model` replaced are not plain
        Linear layers any more; their entries are the arrays they expose as
        ``weight``/``bias`` if any.
        """
        out: dict[str, np.ndarray] = {
            "token_embedding.weight": self.token_embedding.weight.copy(),
            "position_embedding.weight": self.position_embedding.weight.copy(),
        }
        for i, block in enumerate(self.blocks):
            for attr in ("ln_1", "qkv", "out_proj", "ln_2", "fc", "proj"):
                layer = getattr(block, attr)
                for leaf in ("weight", "bias"):
                    value = getattr(layer, leaf, None)
                    if value is not None:
                        out[f"blocks.{i}.{attr}.{leaf}"] = np.array(value, copy=True)
        out["ln_f.weight"] = self.ln_f.weight.copy()
        out["ln_f.bias"] = self.ln_f.bias.copy()
        if not self.config.tie_word_embeddings:
            out["lm_head.weight"] = np.array(self.lm_head.weight, copy=True)
        return out

    # ------------------------------------------------------------------ inference
    def new_cache(self, batch_size: int = 1, capacity: int | None = None) -> KVCache:
        """An empty key/value cache for ``batch_size`` sequences.

        Parameters
        ----------
        batch_size : int, default=1
        capacity : int or None, default=None
            Positions to allocate now (at most ``n_positions``); None allocates
            ``min(n_positions, 64)`` and the buffers grow as needed.
        """
        c = self.config
        return KVCache(
            c.n_layers,
            batch_size,
            c.n_heads,
            c.head_dim,
            c.n_positions,
            self.dtype,
            capacity,
        )

    def _check_ids(self, input_ids: Any) -> np.ndarray:
        ids = np.asarray(input_ids)
        if ids.dtype.kind not in "iu":
            raise ValueError(f"input_ids must be integers, got dtype {ids.dtype}.")
        if ids.ndim not in (1, 2):
            raise ValueError(
                f"input_ids must be 1-D (one sequence) or 2-D (batch, length), got "
                f"shape {ids.shape}."
            )
        if ids.size == 0:
            raise ValueError(f"input_ids is empty (shape {ids.shape}).")
        low, high = ids.min(), ids.max()
        if low < 0 or high >= self.config.vocab_size:
            raise ValueError(
                f"token ids must lie in [0, {self.config.vocab_size}) (vocab_size), "
                f"got values in [{low}, {high}]."
            )
        return ids.astype(np.int64, copy=False)

    def _check_cache(self, cache: Any, batch_size: int) -> KVCache:
        if not isinstance(cache, KVCache):
            raise TypeError(
                f"cache must be a KVCache from new_cache(), got {type(cache).__name__}."
            )
        c = self.config
        layout = (cache.n_layers, cache.n_heads, cache.head_dim, cache.max_length)
        if layout != (c.n_layers, c.n_heads, c.head_dim, c.n_positions):
            raise ValueError("cache was made for a model of another configuration.")
        if cache.dtype != self.dtype:
            raise ValueError(
                f"cache dtype {cache.dtype} differs from the model's {self.dtype}."
            )
        if cache.batch_size != batch_size:
            raise ValueError(
                f"input_ids has {batch_size} sequences but the cache was made for "
                f"{cache.batch_size}."
            )
        return cache

    def forward(
        self,
        input_ids: Any,
        cache: KVCache | None = None,
        start_pos: int | None = None,
    ) -> np.ndarray:
        """Logits of the next token after each position.

        Parameters
        ----------
        input_ids : array-like of int, shape (batch, L) or (L,)
            Token ids in ``[0, vocab_size)``.
        cache : KVCache, default=None
            With a cache, the tokens are positions ``start_pos .. start_pos + L - 1``
            of sequences whose earlier positions are in the cache; their keys and
            values are stored and ``cache.length`` becomes ``start_pos + L``.
            Without one, the tokens attend only to each other.
        start_pos : int, default=None
            Position of the first token. With a cache: None means ``cache.length``
            (append); a smaller value overwrites from there (the later cached
            positions are dropped). Without a cache: None means 0; another value
            offsets the position embeddings.

        Returns
        -------
        ndarray of shape (batch, L, vocab_size) or (L, vocab_size)
            In the model's dtype; 2-D when ``input_ids`` is 1-D.

        Raises
        ------
        ValueError
            Non-integer, empty or out-of-range ids, a sequence running past
            ``n_positions``, a cache of another batch size or model, or a
            ``start_pos`` beyond the cached length.
        """
        ids = self._check_ids(input_ids)
        squeeze = ids.ndim == 1
        if squeeze:
            ids = ids[None, :]
        batch_size, n_new = ids.shape
        if cache is not None:
            cache = self._check_cache(cache, batch_size)
        start = self._check_start(start_pos, cache)
        end = start + n_new
        if end > self.config.n_positions:
            raise ValueError(
                f"positions {start}..{end - 1} run past n_positions "
                f"({self.config.n_positions}): the model cannot process sequences "
                f"longer than {self.config.n_positions} tokens."
            )
        if cache is not None:
            cache._reserve(end, keep=start)

        positions = np.arange(start, end)
        hidden = self.token_embedding(ids) + self.position_embedding(positions)
        for layer_idx, block in enumerate(self.blocks):
            hidden = self._block_forward(block, hidden, layer_idx, cache, start)
        if cache is not None:
            cache.length = end
        logits = call_layer(self.lm_head, self.ln_f(hidden), self.n_jobs)
        return logits[0] if squeeze else logits

    __call__ = forward

    def _check_start(self, start_pos: Any, cache: KVCache | None) -> int:
        if start_pos is None:
            return 0 if cache is None else cache.length
        if isinstance(start_pos, bool) or not isinstance(start_pos, (int, np.integer)):
            raise TypeError(
                f"start_pos must be an int, got {type(start_pos).__name__}."
            )
        start = int(start_pos)
        if start < 0:
            raise ValueError(f"start_pos must be >= 0, got {start}.")
        if cache is not None and start > cache.length:
            raise ValueError(
                f"start_pos ({start}) is beyond the cached length ({cache.length}): "
                "the positions in between have no keys and values."
            )
        return start

    def _block_forward(
        self,
        block: DecoderBlock,
        hidden: np.ndarray,
        layer_idx: int,
        cache: KVCache | None,
        start: int,
    ) -> np.ndarray:
        from fastml.activations import gelu
        from fastml.nn._attention import scaled_dot_product_attention

        c = self.config
        batch_size, n_new, _ = hidden.shape
        qkv = call_layer(block.qkv, block.ln_1(hidden), self.n_jobs)
        # (batch, L, 3, heads, head_dim) -> (3, batch, heads, L, head_dim)
        qkv = qkv.reshape(batch_size, n_new, 3, c.n_heads, c.head_dim)
        qkv = qkv.transpose(2, 0, 3, 1, 4)
        query, key, value = qkv[0], qkv[1], qkv[2]
        mask: np.ndarray | None = None
        is_causal = False
        if cache is not None:
            end = start + n_new
            cache.keys[layer_idx][:, :, start:end] = key
            cache.values[layer_idx][:, :, start:end] = value
            key = cache.keys[layer_idx][:, :, :end]
            value = cache.values[layer_idx][:, :, :end]
            if start == 0:
                is_causal = n_new > 1
            elif n_new > 1:
                # New queries come last: bottom-right alignment, which torch's
                # is_causal (top-left) does not give when L_q != L_k.
                mask = _causal_mask(n_new, start)
            # One new query may attend to every cached key: no mask.
        else:
            is_causal = n_new > 1
        # Strided views (heads sliced out of the projection, cache prefixes): the
        # attention function makes its own contiguous copies.
        attended = scaled_dot_product_attention(
            query,
            key,
            value,
            attn_mask=mask,
            is_causal=is_causal,
            n_jobs=self.n_jobs,
        )
        merged = attended.transpose(0, 2, 1, 3).reshape(batch_size, n_new, c.d_model)
        hidden = hidden + call_layer(block.out_proj, merged, self.n_jobs)
        approximate = "tanh" if c.activation == "gelu_tanh" else "none"
        inner = gelu(
            call_layer(block.fc, block.ln_2(hidden), self.n_jobs),
            approximate,
            n_jobs=self.n_jobs,
        )
        return hidden + call_layer(block.proj, inner, self.n_jobs)

    @property
    def n_parameters(self) -> int:
        """Number of parameters (the tied output projection counted once)."""
        c = self.config
        assert c.d_ff is not None
        per_block = sum(int(np.prod(s)) for s in _block_shapes(c).values())
        n = (c.vocab_size + c.n_positions + 2) * c.d_model + c.n_layers * per_block
        if not c.tie_word_embeddings:
            n += c.vocab_size * c.d_model
        return n

    def __repr__(self) -> str:
        c = self.config
        return (
            f"GPTDecoder(vocab_size={c.vocab_size}, n_positions={c.n_positions}, "
            f"d_model={c.d_model}, n_heads={c.n_heads}, n_layers={c.n_layers}, "
            f"dtype={self.dtype.name})"
        )
