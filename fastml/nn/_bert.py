"""A BERT-style encoder on numpy arrays that loads Hugging Face checkpoints.

The architecture is the original post-LayerNorm BERT encoder:

- embeddings: ``word[input_ids] + position[0..L-1] + token_type[token_type_ids]``,
  then LayerNorm;
- each encoder layer: multi-head self-attention with a padding mask, an output
  projection, a residual connection and LayerNorm; then the feed-forward block
  (intermediate projection, GELU, output projection), a residual connection and
  LayerNorm.

Every projection is a :class:`fastml.nn.Linear` held as an attribute of a layer
object (the encoder layers are a list), so :func:`fastml.nn.quantize.quantize_model`
can find and replace them. Attention is :func:`fastml.nn.scaled_dot_product_attention`.

Only real tokens are computed: the tokens of a batch are packed row after row
(padding removed) for the embeddings, the projections, GELU and the LayerNorms, and
scattered into the padded (batch, heads, length, head_dim) layout only for attention,
with a key mask. Padded positions therefore never influence real ones and cost no
matrix-product work. Each ``LayerNorm(x + residual)`` is one fused kernel
(:mod:`fastml.kernels.nn.layer_norm`). The query, key and value projections are
stacked into one ``Linear`` (one matrix product instead of three).

Weights load from a folder holding ``config.json`` and ``model.safetensors`` (read by
:func:`fastml.nn.load_safetensors`, no torch needed), with or without the ``bert.``
prefix that task models (``BertForMaskedLM``...) put on the encoder's names.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from fastml._config import resolve_n_jobs
from fastml.nn._bert_layers import (
    BertEmbeddings,
    BertLayer,
    _Layout,
)
from fastml.nn._layers import Embedding, LayerNorm, Linear

__all__ = ["BertConfig", "BertModel"]

logger = logging.getLogger(__name__)

# hidden_act values of Hugging Face configs and the fastml GELU form computing them.
_ACTIVATIONS = {
    "gelu": "none",  # exact erf form
    "gelu_new": "tanh",
    "gelu_pytorch_tanh": "tanh",
}

# Checkpoint entries that carry no weights of the encoder (buffers saved by old
# versions of transformers).
_IGNORED_TENSORS = ("embeddings.position_ids",)


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"BertConfig.{name} must be an int, got {value!r}.")
    if value < 1:
        raise ValueError(f"BertConfig.{name} must be >= 1, got {value}.")
    return int(value)


@dataclass
class BertConfig:
    """Hyper-parameters of a BERT encoder (the fields of a Hugging Face config.json).

    Parameters
    ----------
    vocab_size : int, default=30522
    hidden_size : int, default=768
        Must be a multiple of ``num_attention_heads``.
    num_hidden_layers : int, default=12
    num_attention_heads : int, default=12
    intermediate_size : int, default=3072
    hidden_act : {"gelu", "gelu_new", "gelu_pytorch_tanh"}, default="gelu"
        "gelu" is the exact erf form; the other two the tanh approximation.
    max_position_embeddings : int, default=512
    type_vocab_size : int, default=2
    layer_norm_eps : float, default=1e-12
    pad_token_id : int, default=0
    """

    vocab_size: int = 30522
    hidden_size: int = 768
    num_hidden_layers: int = 12
    num_attention_heads: int = 12
    intermediate_size: int = 3072
    hidden_act: str = "gelu"
    max_position_embeddings: int = 512
    type_vocab_size: int = 2
    layer_norm_eps: float = 1e-12
    pad_token_id: int = 0

    def __post_init__(self) -> None:
        for name in (
            "vocab_size",
            "hidden_size",
            "num_hidden_layers",
            "num_attention_heads",
            "intermediate_size",
            "max_position_embeddings",
            "type_vocab_size",
        ):
            setattr(self, name, _positive_int(name, getattr(self, name)))
        if self.hidden_size % self.num_attention_heads:
            raise ValueError(
                f"hidden_size ({self.hidden_size}) must be a multiple of "
                f"num_attention_heads ({self.num_attention_heads})."
            )
        if self.hidden_act not in _ACTIVATIONS:
            raise ValueError(
                f"hidden_act {self.hidden_act!r} is not supported; use one of "
                f"{sorted(_ACTIVATIONS)}."
            )
        eps = self.layer_norm_eps
        if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not eps > 0:
            raise ValueError(f"layer_norm_eps must be a positive float, got {eps!r}.")
        self.layer_norm_eps = float(eps)
        pad = self.pad_token_id
        if isinstance(pad, bool) or not isinstance(pad, (int, np.integer)):
            raise ValueError(f"pad_token_id must be an int, got {pad!r}.")
        if not 0 <= pad < self.vocab_size:
            raise ValueError(
                f"pad_token_id {pad} is outside the vocabulary [0, {self.vocab_size})."
            )
        self.pad_token_id = int(pad)

    @property
    def head_dim(self) -> int:
        """Width of one attention head."""
        return self.hidden_size // self.num_attention_heads

    @classmethod
    def from_dict(cls, config: Mapping[str, Any]) -> BertConfig:
        """Build from a config.json mapping; keys this encoder does not use are ignored.

        Raises ValueError for settings the encoder does not implement (relative
        position embeddings, a decoder, another model type).
        """
        if not isinstance(config, Mapping):
            raise ValueError(f"config must be a mapping, got {type(config).__name__}.")
        model_type = config.get("model_type", "bert")
        if model_type not in ("bert", "bert-base", None):
            raise ValueError(f"model_type {model_type!r} is not a BERT encoder.")
        position = config.get("position_embedding_type", "absolute")
        if position != "absolute":
            raise ValueError(
                f"position_embedding_type {position!r} is not supported (only "
                "'absolute')."
            )
        if config.get("is_decoder", False) or config.get("add_cross_attention", False):
            raise ValueError("decoder BERT configurations are not supported.")
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in config.items() if k in names})

    @classmethod
    def from_json(cls, path: str | os.PathLike[str]) -> BertConfig:
        """Read a config.json file (or the config.json of a folder)."""
        path = Path(path)
        if path.is_dir():
            path = path / "config.json"
        try:
            with open(path, encoding="utf-8") as handle:
                config = json.load(handle)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path} is not valid JSON: {exc}") from None
        return cls.from_dict(config)

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict (config.json keys, with ``model_type``)."""
        return {"model_type": "bert", **asdict(self)}


def _as_ids(value: Any, name: str, ndim: int) -> np.ndarray:
    array = np.asarray(value)
    # An empty list comes in as float64: accept it.
    if array.dtype.kind not in "iub" and not (
        array.size == 0 and array.dtype.kind == "f"
    ):
        raise ValueError(f"{name} must hold integers, got dtype {array.dtype}.")
    if array.ndim != ndim:
        want = "(batch, sequence_length)" if ndim == 2 else "(n,)"
        raise ValueError(f"{name} must be {ndim}-D {want}, got shape {array.shape}.")
    return array.astype(np.int64, copy=False)


class BertModel:
    """BERT encoder: token ids in, one hidden vector per token out.

    Build it with :meth:`from_pretrained` (a Hugging Face folder) or :meth:`random`
    (tests). Calling the model runs the encoder.

    Parameters
    ----------
    config : BertConfig
    embeddings : BertEmbeddings
    layers : list of BertLayer
    pooler : Linear or None, default=None
        BERT's pooler (dense + tanh on the first token), when the checkpoint has one.

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.nn import BertConfig, BertModel
    >>> config = BertConfig(vocab_size=50, hidden_size=8, num_hidden_layers=1,
    ...                     num_attention_heads=2, intermediate_size=16)
    >>> model = BertModel.random(config, random_state=0)
    >>> model(np.array([[1, 5, 7, 0]]), np.array([[1, 1, 1, 0]])).shape
    (1, 4, 8)
    """

    def __init__(
        self,
        config: BertConfig,
        embeddings: BertEmbeddings,
        layers: list[BertLayer],
        pooler: Linear | None = None,
    ) -> None:
        self.config = config
        self.embeddings = embeddings
        self.layers = list(layers)
        self.pooler = pooler

    @property
    def dtype(self) -> np.dtype:
        """Floating dtype of the computation (the embeddings' dtype)."""
        return self.embeddings.word_embeddings.weight.dtype

    @property
    def hidden_size(self) -> int:
        return self.config.hidden_size

    def _check_ids(self, ids: np.ndarray, types: Any) -> np.ndarray:
        """Validate token ids (already int64) and return int64 token types."""
        config = self.config
        if ids.size and (ids.min() < 0 or ids.max() >= config.vocab_size):
            raise ValueError(
                f"input_ids must lie in [0, {config.vocab_size}), got values in "
                f"[{ids.min()}, {ids.max()}]."
            )
        if types is None:
            return np.zeros(ids.shape, dtype=np.int64)
        types = _as_ids(types, "token_type_ids", ids.ndim)
        if types.shape != ids.shape:
            raise ValueError(
                f"token_type_ids has shape {types.shape}, input_ids {ids.shape}."
            )
        if types.size and (types.min() < 0 or types.max() >= config.type_vocab_size):
            raise ValueError(
                f"token_type_ids must lie in [0, {config.type_vocab_size}), got "
                f"values in [{types.min()}, {types.max()}]."
            )
        return types

    def _check_length(self, length: int) -> None:
        if length > self.config.max_position_embeddings:
            raise ValueError(
                f"sequence length {length} exceeds max_position_embeddings "
                f"({self.config.max_position_embeddings}); truncate the input."
            )

    def __call__(
        self,
        input_ids: Any,
        attention_mask: Any = None,
        token_type_ids: Any = None,
        *,
        n_jobs: int | None = None,
    ) -> np.ndarray:
        """Run the encoder on a padded batch.

        Parameters
        ----------
        input_ids : array-like of int, shape (batch, sequence_length)
        attention_mask : array-like of shape (batch, sequence_length), default=None
            1 (or True) for real tokens, 0 for padding; None means all real. Every
            sequence needs at least one real token. Positions count from the first
            column whatever the mask (as in BERT).
        token_type_ids : array-like of int, shape (batch, sequence_length), default=None
            Segment ids; None means all 0.
        n_jobs : int, default=None
            Threads of the attention, GELU and LayerNorm kernels (None means 1, -1
            all CPUs). The matrix products use numpy's BLAS and its own threads.

        Returns
        -------
        last_hidden_state : ndarray of shape (batch, sequence_length, hidden_size)
            In the model's dtype; 0 at padded positions. Padded positions never
            influence real ones (only real tokens are computed).
        """
        n_threads = resolve_n_jobs(n_jobs)
        ids = _as_ids(input_ids, "input_ids", 2)
        batch, length = ids.shape
        if length == 0:
            raise ValueError("input_ids has sequence length 0 (empty sequences).")
        self._check_length(length)
        types = self._check_ids(ids, token_type_ids)
        real = None
        if attention_mask is not None:
            given = np.asarray(attention_mask)
            if given.shape != ids.shape:
                raise ValueError(
                    f"attention_mask has shape {given.shape}, input_ids {ids.shape}."
                )
            if given.dtype != np.bool_:
                if given.dtype.kind not in "iuf" or not np.isin(given, (0, 1)).all():
                    raise ValueError("attention_mask must hold only 0/1 or booleans.")
                given = given != 0
            if batch and not given.any(axis=1).all():
                raise ValueError(
                    "attention_mask has a sequence without any real token."
                )
            if not given.all():
                real = given
        hidden_size = self.config.hidden_size
        if batch == 0:
            return np.zeros((0, length, hidden_size), dtype=self.dtype)
        positions = np.broadcast_to(np.arange(length), ids.shape)
        if real is None:
            layout = _Layout(batch, length, None, None, None)
            packed = self._encode(
                ids.ravel(), positions.ravel(), types.ravel(), layout, n_threads
            )
        else:
            rows_idx, cols_idx = np.nonzero(real)
            layout = _Layout(batch, length, rows_idx, cols_idx, real[:, None, None, :])
            packed = self._encode(
                ids[real], positions[real], types[real], layout, n_threads
            )
        return layout.scatter(packed)

    forward = __call__

    def forward_packed(
        self,
        input_ids: Any,
        lengths: Any,
        token_type_ids: Any = None,
        *,
        n_jobs: int | None = None,
    ) -> np.ndarray:
        """Run the encoder on sequences given back to back, without padding.

        The same as :meth:`__call__` on the right-padded batch followed by keeping
        the real tokens only (which is how :meth:`__call__` runs anyway).

        Parameters
        ----------
        input_ids : array-like of int, shape (n_tokens,)
            The sequences concatenated.
        lengths : array-like of int, shape (n_sequences,)
            Length of each sequence (each >= 1), summing to n_tokens.
        token_type_ids : array-like of int, shape (n_tokens,), default=None
        n_jobs : int, default=None
            As in :meth:`__call__`.

        Returns
        -------
        hidden : ndarray of shape (n_tokens, hidden_size)
            One row per token, in the input order.
        """
        n_threads = resolve_n_jobs(n_jobs)
        ids = _as_ids(input_ids, "input_ids", 1)
        sizes = _as_ids(lengths, "lengths", 1)
        if sizes.size and sizes.min() < 1:
            raise ValueError("every sequence needs at least one token (lengths >= 1).")
        if int(sizes.sum()) != ids.shape[0]:
            raise ValueError(
                f"lengths sum to {int(sizes.sum())} but input_ids has "
                f"{ids.shape[0]} tokens."
            )
        types = self._check_ids(ids, token_type_ids)
        if sizes.size == 0:
            return np.zeros((0, self.config.hidden_size), dtype=self.dtype)
        length = int(sizes.max())
        self._check_length(length)
        batch = sizes.shape[0]
        starts = np.cumsum(sizes) - sizes
        rows_idx = np.repeat(np.arange(batch), sizes)
        cols_idx = np.arange(ids.shape[0]) - np.repeat(starts, sizes)
        if sizes.min() == length:
            layout = _Layout(batch, length, None, None, None)
        else:
            mask = (np.arange(length) < sizes[:, None])[:, None, None, :]
            layout = _Layout(batch, length, rows_idx, cols_idx, mask)
        return self._encode(ids, cols_idx, types, layout, n_threads)

    def _encode(
        self,
        ids: np.ndarray,
        positions: np.ndarray,
        types: np.ndarray,
        layout: _Layout,
        n_threads: int,
    ) -> np.ndarray:
        hidden = self.embeddings(ids, positions, types, n_threads)
        for layer in self.layers:
            hidden = layer(hidden, layout, n_threads)
        return hidden

    def pool(self, last_hidden_state: np.ndarray) -> np.ndarray:
        """BERT's pooled output: ``tanh(pooler(last_hidden_state[:, 0]))``.

        Raises ValueError when the checkpoint had no pooler.
        """
        if self.pooler is None:
            raise ValueError("this model has no pooler weights.")
        return np.tanh(self.pooler(np.asarray(last_hidden_state)[:, 0]))

    # -- construction --------------------------------------------------------------

    @classmethod
    def random(
        cls,
        config: BertConfig,
        random_state: Any = None,
        dtype: Any = np.float32,
        pooler: bool = False,
    ) -> BertModel:
        """A model with random weights (N(0, 0.02^2) as BERT's initialiser).

        LayerNorm scales and shifts are drawn too (around 1 and 0), so tests see
        every parameter at work.
        """
        from fastml.utils.validation import check_random_state

        rng = check_random_state(random_state)
        std = 0.02
        width, inner = config.hidden_size, config.intermediate_size
        eps = config.layer_norm_eps

        def linear(n_in: int, n_out: int) -> Linear:
            return Linear(
                (std * rng.standard_normal((n_out, n_in))).astype(dtype),
                (std * rng.standard_normal(n_out)).astype(dtype),
            )

        def norm() -> LayerNorm:
            return LayerNorm(
                (1 + 0.1 * rng.standard_normal(width)).astype(dtype),
                (0.1 * rng.standard_normal(width)).astype(dtype),
                eps,
            )

        def table(n: int) -> Embedding:
            return Embedding((std * rng.standard_normal((n, width))).astype(dtype))

        embeddings = BertEmbeddings(
            table(config.vocab_size),
            table(config.max_position_embeddings),
            table(config.type_vocab_size),
            norm(),
        )
        approximate = _ACTIVATIONS[config.hidden_act]
        layers = [
            BertLayer(
                linear(width, 3 * width),
                linear(width, width),
                norm(),
                linear(width, inner),
                linear(inner, width),
                norm(),
                num_attention_heads=config.num_attention_heads,
                gelu_approximate=approximate,
            )
            for _ in range(config.num_hidden_layers)
        ]
        return cls(config, embeddings, layers, linear(width, width) if pooler else None)

    @classmethod
    def from_state_dict(
        cls,
        config: BertConfig,
        tensors: Mapping[str, np.ndarray],
        *,
        dtype: Any = np.float32,
        strict: bool = True,
    ) -> BertModel:
        """Build the model from Hugging Face tensor names.

        Parameters
        ----------
        config : BertConfig
        tensors : mapping of str to ndarray
            ``embeddings.word_embeddings.weight``, ``encoder.layer.0.attention.self.
            query.weight`` ... with or without a ``bert.`` prefix; LayerNorm
            parameters may be called ``gamma``/``beta`` (old checkpoints).
        dtype : {np.float32, np.float64}, default=np.float32
            Dtype of the computation; weights are cast to it.
        strict : bool, default=True
            Raise on tensors the encoder does not use (task heads such as ``cls.*``
            or ``classifier.*``); with False they are ignored (and logged).

        Raises
        ------
        ValueError
            On a missing tensor, a tensor of the wrong shape, or (``strict``) an
            unused tensor; the message lists them.
        """
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, got {dtype}.")
        names = _normalise_names(tensors)
        expected = _expected_shapes(config)
        # The pooler is optional, but not half of it.
        optional = ("pooler.dense.weight", "pooler.dense.bias")
        if not any(n in names for n in optional):
            expected = {n: s for n, s in expected.items() if n not in optional}
        missing = [n for n in expected if n not in names]
        wrong = [
            f"{n}: expected {expected[n]}, got {tuple(names[n].shape)}"
            for n in expected
            if n in names and tuple(names[n].shape) != expected[n]
        ]
        unused = sorted(set(names) - set(expected) - set(_IGNORED_TENSORS))
        problems = []
        if missing:
            problems.append(f"missing tensors: {missing[:10]}" + _more(missing))
        if wrong:
            problems.append(f"tensors of the wrong shape: {wrong[:10]}" + _more(wrong))
        if unused and strict:
            problems.append(
                f"unexpected tensors (pass strict=False to ignore): {unused[:10]}"
                + _more(unused)
            )
        if problems:
            raise ValueError("cannot build BertModel: " + "; ".join(problems) + ".")
        if unused:
            logger.info("ignoring %d unused tensors: %s", len(unused), unused[:10])
        has_pooler = "pooler.dense.weight" in expected

        def get(name: str) -> np.ndarray:
            array = np.asarray(names[name])
            if array.dtype.kind != "f":
                raise ValueError(
                    f"tensor {name!r} must be floating point, got {array.dtype}."
                )
            return np.ascontiguousarray(array, dtype=dtype)

        def linear(prefix: str) -> Linear:
            return Linear(get(prefix + ".weight"), get(prefix + ".bias"))

        def stacked(prefix: str) -> Linear:
            parts = [prefix + part for part in ("query", "key", "value")]
            return Linear(
                np.concatenate([get(p + ".weight") for p in parts]),
                np.concatenate([get(p + ".bias") for p in parts]),
            )

        eps = config.layer_norm_eps

        def norm(prefix: str) -> LayerNorm:
            return LayerNorm(get(prefix + ".weight"), get(prefix + ".bias"), eps)

        embeddings = BertEmbeddings(
            Embedding(get("embeddings.word_embeddings.weight")),
            Embedding(get("embeddings.position_embeddings.weight")),
            Embedding(get("embeddings.token_type_embeddings.weight")),
            norm("embeddings.LayerNorm"),
        )
        approximate = _ACTIVATIONS[config.hidden_act]
        layers = []
        for i in range(config.num_hidden_layers):
            p = f"encoder.layer.{i}."
            layers.append(
                BertLayer(
                    stacked(p + "attention.self."),
                    linear(p + "attention.output.dense"),
                    norm(p + "attention.output.LayerNorm"),
                    linear(p + "intermediate.dense"),
                    linear(p + "output.dense"),
                    norm(p + "output.LayerNorm"),
                    num_attention_heads=config.num_attention_heads,
                    gelu_approximate=approximate,
                )
            )
        pooler = linear("pooler.dense") if has_pooler else None
        return cls(config, embeddings, layers, pooler)

    @classmethod
    def from_pretrained(
        cls,
        folder: str | os.PathLike[str],
        *,
        dtype: Any = np.float32,
        strict: bool = True,
    ) -> BertModel:
        """Load ``config.json`` and ``model.safetensors`` from a model folder.

        Parameters
        ----------
        folder : str or path-like
            A Hugging Face model folder (e.g. all-MiniLM-L6-v2).
        dtype, strict
            As in :meth:`from_state_dict`.

        Raises
        ------
        FileNotFoundError
            When the folder, its config.json or its model.safetensors is missing.
        ValueError
            On an unsupported configuration, a corrupt safetensors file, or
            missing, unexpected or mis-shaped tensors.
        """
        from fastml.nn._safetensors import load_safetensors

        folder = Path(folder)
        if not folder.is_dir():
            raise FileNotFoundError(f"model folder {str(folder)!r} does not exist.")
        for name in ("config.json", "model.safetensors"):
            if not (folder / name).is_file():
                raise FileNotFoundError(
                    f"{name} not found in {str(folder)!r} (only safetensors "
                    "checkpoints are supported)."
                )
        config = BertConfig.from_json(folder / "config.json")
        tensors = load_safetensors(folder / "model.safetensors")
        return cls.from_state_dict(config, tensors, dtype=dtype, strict=strict)

    def state_dict(self) -> dict[str, np.ndarray]:
        """The weights under Hugging Face's names (no ``bert.`` prefix).

        The stacked query/key/value projection is split back into its three
        matrices. With :func:`fastml.nn.save_safetensors` and the config's
        :meth:`BertConfig.to_dict` this writes a folder :meth:`from_pretrained`
        (and transformers) can load. Arrays are copies.
        """
        emb = self.embeddings
        out: dict[str, np.ndarray] = {
            "embeddings.word_embeddings.weight": emb.word_embeddings.weight,
            "embeddings.position_embeddings.weight": emb.position_embeddings.weight,
            "embeddings.token_type_embeddings.weight": emb.token_type_embeddings.weight,
            "embeddings.LayerNorm.weight": emb.layer_norm.weight,
            "embeddings.LayerNorm.bias": emb.layer_norm.bias,
        }
        width = self.config.hidden_size

        def put(name: str, layer: Any) -> None:
            if not isinstance(layer, Linear):
                raise ValueError(
                    f"{name} is a {type(layer).__name__}, not a Linear: "
                    "state_dict needs the float weights."
                )
            out[name + ".weight"] = layer.weight
            if layer.bias is not None:
                out[name + ".bias"] = layer.bias

        for i, layer in enumerate(self.layers):
            p = f"encoder.layer.{i}."
            put(p + "attention.self.qkv", layer.qkv)
            weight = out.pop(p + "attention.self.qkv.weight")
            bias = out.pop(p + "attention.self.qkv.bias")
            for j, part in enumerate(("query", "key", "value")):
                rows = slice(j * width, (j + 1) * width)
                out[p + f"attention.self.{part}.weight"] = weight[rows]
                out[p + f"attention.self.{part}.bias"] = bias[rows]
            put(p + "attention.output.dense", layer.attention_output)
            out[p + "attention.output.LayerNorm.weight"] = layer.attention_norm.weight
            out[p + "attention.output.LayerNorm.bias"] = layer.attention_norm.bias
            put(p + "intermediate.dense", layer.intermediate)
            put(p + "output.dense", layer.output)
            out[p + "output.LayerNorm.weight"] = layer.output_norm.weight
            out[p + "output.LayerNorm.bias"] = layer.output_norm.bias
        if self.pooler is not None:
            put("pooler.dense", self.pooler)
        return {name: np.array(array) for name, array in out.items()}

    def __repr__(self) -> str:
        c = self.config
        return (
            f"BertModel(layers={c.num_hidden_layers}, hidden_size={c.hidden_size}, "
            f"heads={c.num_attention_heads}, vocab_size={c.vocab_size}, "
            f"dtype={self.dtype})"
        )


def _more(items: list[str]) -> str:
    return f" and {len(items) - 10} more" if len(items) > 10 else ""


def _normalise_names(tensors: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Strip a ``bert.`` prefix (when every encoder tensor has it) and map gamma/beta."""
    if not isinstance(tensors, Mapping):
        raise ValueError(f"tensors must be a mapping, got {type(tensors).__name__}.")
    prefixed = any(name.startswith("bert.embeddings.") for name in tensors)
    out: dict[str, np.ndarray] = {}
    for name, array in tensors.items():
        if prefixed and name.startswith("bert."):
            name = name[len("bert.") :]
        if ".LayerNorm.gamma" in name or ".LayerNorm.beta" in name:
            name = name.replace(".LayerNorm.gamma", ".LayerNorm.weight").replace(
                ".LayerNorm.beta", ".LayerNorm.bias"
            )
        if name in out:
            raise ValueError(f"tensor {name!r} appears twice (with and without bert.).")
        out[name] = array
    return out


def _expected_shapes(config: BertConfig) -> dict[str, tuple[int, ...]]:
    width, inner = config.hidden_size, config.intermediate_size
    shapes: dict[str, tuple[int, ...]] = {
        "embeddings.word_embeddings.weight": (config.vocab_size, width),
        "embeddings.position_embeddings.weight": (
            config.max_position_embeddings,
            width,
        ),
        "embeddings.token_type_embeddings.weight": (config.type_vocab_size, width),
        "embeddings.LayerNorm.weight": (width,),
        "embeddings.LayerNorm.bias": (width,),
    }
    blocks = {
        "attention.self.query": (width, width),
        "attention.self.key": (width, width),
        "attention.self.value": (width, width),
        "attention.output.dense": (width, width),
        "intermediate.dense": (inner, width),
        "output.dense": (width, inner),
    }
    for i in range(config.num_hidden_layers):
        p = f"encoder.layer.{i}."
        for block, shape in blocks.items():
            shapes[p + block + ".weight"] = shape
            shapes[p + block + ".bias"] = (shape[0],)
        for block in ("attention.output.LayerNorm", "output.LayerNorm"):
            shapes[p + block + ".weight"] = (width,)
            shapes[p + block + ".bias"] = (width,)
    shapes["pooler.dense.weight"] = (width, width)
    shapes["pooler.dense.bias"] = (width,)
    return shapes
