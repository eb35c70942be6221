"""Sentence embeddings from a sentence-transformers model folder, without torch.

A sentence-transformers folder (all-MiniLM-L6-v2 and friends) chains modules listed
in ``modules.json``: a Transformer (a BERT encoder and its WordPiece vocabulary),
a Pooling module (``1_Pooling/config.json``) and optionally a Normalize module.
:class:`SentenceEncoder` reproduces that chain with :class:`fastml.nn.BertModel`
and :class:`fastml.nn.tokenizers.WordPieceTokenizer`.

Batching follows sentence-transformers: the sentences are sorted by decreasing
length (characters), cut into batches of ``batch_size`` and the embeddings returned
in the caller's order. Within a batch only real tokens are computed: the matrix
products, GELU and LayerNorm run on the tokens packed back to back (no padding
rows), and only attention sees the batch padded to its longest sequence, with a
key mask. (sentence-transformers pads every batch, so this does less work for the
same result.) Sequences are truncated to ``max_seq_length`` tokens (from
``sentence_bert_config.json``; 256 for all-MiniLM-L6-v2) with a warning.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from fastml._config import resolve_n_jobs
from fastml.nn._bert import BertModel

__all__ = ["SentenceEncoder"]

logger = logging.getLogger(__name__)

_POOLING_MODES = ("cls", "max", "mean", "mean_sqrt_len")
_TRANSFORMER = "sentence_transformers.models.Transformer"
_POOLING = "sentence_transformers.models.Pooling"
_NORMALIZE = "sentence_transformers.models.Normalize"

# With show_progress_bar=None, a bar is drawn for inputs of at least this many
# batches when the module's logger is at INFO or DEBUG level.
_AUTO_PROGRESS_BATCHES = 8


def _read_json(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not valid JSON: {exc}") from None


def _pooling_from_config(config: Any, path: Path) -> tuple[str, ...]:
    """The pooling modes switched on in a 1_Pooling/config.json, in the order
    sentence-transformers concatenates them."""
    if not isinstance(config, dict):
        raise ValueError(f"{path} must hold a JSON object.")
    unsupported = [
        key
        for key in ("pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken")
        if config.get(key)
    ]
    if unsupported:
        raise ValueError(f"{path}: unsupported pooling modes {unsupported}.")
    modes = tuple(
        mode for mode in _POOLING_MODES if config.get(f"pooling_mode_{mode}_tokens")
    )
    if config.get("pooling_mode_cls_token"):
        modes = ("cls",) + tuple(m for m in modes if m != "cls")
    if not modes:
        raise ValueError(f"{path}: no pooling mode is switched on.")
    return modes


class _Progress:
    """A one-line progress bar on a text stream (stderr), redrawn at most 10 x / s."""

    def __init__(self, total: int, stream: TextIO, label: str = "Batches") -> None:
        self.total, self.stream, self.label = total, stream, label
        self.done = 0
        self.start = self.last = time.perf_counter()

    def _draw(self) -> None:
        width = 30
        filled = width * self.done // max(self.total, 1)
        elapsed = time.perf_counter() - self.start
        self.stream.write(
            f"\r{self.label}: [{'#' * filled}{'.' * (width - filled)}] "
            f"{self.done}/{self.total} {elapsed:.1f}s"
        )
        self.stream.flush()

    def update(self, count: int = 1) -> None:
        self.done += count
        now = time.perf_counter()
        if now - self.last >= 0.1 or self.done >= self.total:
            self.last = now
            self._draw()

    def close(self) -> None:
        self._draw()
        self.stream.write("\n")
        self.stream.flush()


class SentenceEncoder:
    """Sentence embeddings: tokenizer, BERT encoder, pooling and normalisation.

    Usually built with :meth:`from_pretrained`.

    Parameters
    ----------
    tokenizer : WordPieceTokenizer
        Its ``encode_batch(texts, truncation=True, max_length=...)`` gives the
        token ids (see :mod:`fastml.nn.tokenizers`).
    model : BertModel
    pooling : str or tuple of str, default="mean"
        "mean" (over real tokens), "cls" (first token), "max" (over real tokens) or
        "mean_sqrt_len" (sum over real tokens / sqrt(count)); several modes are
        concatenated in the order given.
    normalize : bool, default=False
        Divide each embedding by its L2 norm (sentence-transformers' Normalize).
    max_seq_length : int, default=None
        Longest token sequence (special tokens included); longer inputs are
        truncated with a warning. None means the model's max_position_embeddings.
    lowercase : bool, default=False
        Lower-case the text before tokenizing (sentence-transformers'
        ``do_lower_case``; WordPiece tokenizers usually lower-case already).

    Examples
    --------
    >>> from fastml.nn import SentenceEncoder
    >>> encoder = SentenceEncoder.from_pretrained(folder)  # doctest: +SKIP
    >>> encoder.encode(["A sentence.", "Another one."]).shape  # doctest: +SKIP
    (2, 384)
    """

    def __init__(
        self,
        tokenizer: Any,
        model: BertModel,
        *,
        pooling: str | Sequence[str] = "mean",
        normalize: bool = False,
        max_seq_length: int | None = None,
        lowercase: bool = False,
    ) -> None:
        modes = (pooling,) if isinstance(pooling, str) else tuple(pooling)
        bad = [m for m in modes if m not in _POOLING_MODES]
        if bad or not modes:
            raise ValueError(
                f"pooling must be one or more of {list(_POOLING_MODES)}, got "
                f"{pooling!r}."
            )
        limit = model.config.max_position_embeddings
        if max_seq_length is None:
            max_seq_length = limit
        if isinstance(max_seq_length, bool) or not isinstance(
            max_seq_length, (int, np.integer)
        ):
            raise ValueError(f"max_seq_length must be an int, got {max_seq_length!r}.")
        if not 2 <= max_seq_length <= limit:
            raise ValueError(
                f"max_seq_length must lie in [2, {limit}] (the model's "
                f"max_position_embeddings), got {max_seq_length}."
            )
        self.tokenizer = tokenizer
        self.model = model
        self.pooling = modes
        self.normalize = bool(normalize)
        self.max_seq_length = int(max_seq_length)
        self.lowercase = bool(lowercase)

    @property
    def embedding_dim(self) -> int:
        """Width of the returned embeddings."""
        return self.model.config.hidden_size * len(self.pooling)

    @classmethod
    def from_pretrained(
        cls, folder: str | Path, *, dtype: Any = np.float32
    ) -> SentenceEncoder:
        """Load a sentence-transformers folder (e.g. all-MiniLM-L6-v2).

        Reads ``modules.json`` (Transformer, Pooling and Normalize modules are
        supported), the Transformer's ``config.json``, ``model.safetensors``,
        ``vocab.txt`` and ``sentence_bert_config.json``, and the Pooling module's
        ``config.json``. Without ``modules.json`` the folder is read as a plain
        BERT checkpoint with mean pooling and no normalisation.

        Raises
        ------
        FileNotFoundError
            When the folder or a file it needs is missing.
        ValueError
            On a module, pooling mode or model setting that is not supported, or
            corrupt files.
        """
        from fastml.nn.tokenizers import WordPieceTokenizer

        folder = Path(folder)
        if not folder.is_dir():
            raise FileNotFoundError(f"model folder {str(folder)!r} does not exist.")
        transformer_dir = folder
        pooling: tuple[str, ...] = ("mean",)
        normalize = False
        modules_path = folder / "modules.json"
        if modules_path.is_file():
            modules = _read_json(modules_path)
            if not isinstance(modules, list) or not all(
                isinstance(m, dict) and isinstance(m.get("type"), str) for m in modules
            ):
                raise ValueError(f"{modules_path} must list modules with a 'type'.")
            seen_pooling = False
            for module in sorted(modules, key=lambda m: m.get("idx", 0)):
                kind = module["type"]
                sub = folder / str(module.get("path", ""))
                if not sub.resolve().is_relative_to(folder.resolve()):
                    raise ValueError(
                        f"{modules_path}: module path {module.get('path')!r} leaves "
                        "the model folder."
                    )
                if kind == _TRANSFORMER:
                    transformer_dir = sub
                elif kind == _POOLING:
                    pool_config = sub / "config.json"
                    if not pool_config.is_file():
                        raise FileNotFoundError(f"{pool_config} not found.")
                    pooling = _pooling_from_config(_read_json(pool_config), pool_config)
                    seen_pooling = True
                elif kind == _NORMALIZE:
                    normalize = True
                else:
                    raise ValueError(
                        f"{modules_path}: module type {kind!r} is not supported "
                        f"(supported: Transformer, Pooling, Normalize)."
                    )
            if not seen_pooling:
                logger.info("%s has no Pooling module: mean pooling", modules_path)
        model = BertModel.from_pretrained(transformer_dir, dtype=dtype, strict=False)
        tokenizer = WordPieceTokenizer.from_pretrained(transformer_dir)
        max_seq_length = None
        lowercase = False
        st_config_path = transformer_dir / "sentence_bert_config.json"
        if st_config_path.is_file():
            st_config = _read_json(st_config_path)
            if not isinstance(st_config, dict):
                raise ValueError(f"{st_config_path} must hold a JSON object.")
            max_seq_length = st_config.get("max_seq_length")
            lowercase = bool(st_config.get("do_lower_case", False))
        if max_seq_length is None:
            max_seq_length = model.config.max_position_embeddings
        max_seq_length = min(max_seq_length, model.config.max_position_embeddings)
        return cls(
            tokenizer,
            model,
            pooling=pooling,
            normalize=normalize,
            max_seq_length=max_seq_length,
            lowercase=lowercase,
        )

    def tokenize(self, sentences: Sequence[str]) -> tuple[list[list[int]], int]:
        """Token ids of each sentence with [CLS]/[SEP], cut to ``max_seq_length``.

        Returns
        -------
        ids : list of list of int
            Unpadded.
        n_truncated : int
            How many sentences were longer than ``max_seq_length`` tokens.
        """
        if self.lowercase:
            sentences = [s.lower() for s in sentences]
        limit = self.max_seq_length
        # One token of slack tells a sentence that was cut from one that fits: a
        # row of limit + 1 tokens was too long; dropping its last text token keeps
        # the first limit - 2 text tokens and [SEP], the usual truncation.
        rows = self.tokenizer.encode_batch(
            list(sentences), truncation=True, max_length=limit + 1
        )
        n_truncated = 0
        for i, row in enumerate(rows):
            if len(row) > limit:
                rows[i] = row[: limit - 1] + row[-1:]
                n_truncated += 1
        return rows, n_truncated

    def _pool(self, hidden: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Pool packed token vectors (n_tokens, width) per sequence."""
        starts = np.cumsum(lengths) - lengths
        parts = []
        sums = None
        for mode in self.pooling:
            if mode == "cls":
                parts.append(hidden[starts])
            elif mode == "max":
                parts.append(np.maximum.reduceat(hidden, starts, axis=0))
            else:
                if sums is None:
                    # float64 sums: within float32 rounding of any summation order.
                    sums = np.add.reduceat(hidden.astype(np.float64), starts, axis=0)
                scale = lengths if mode == "mean" else np.sqrt(lengths)
                parts.append(sums / scale[:, None])
        pooled = parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1)
        return pooled.astype(hidden.dtype, copy=False)

    def encode(
        self,
        sentences: str | Sequence[str],
        batch_size: int = 32,
        *,
        normalize_embeddings: bool | None = None,
        show_progress_bar: bool | None = None,
        n_jobs: int | None = None,
    ) -> np.ndarray:
        """Embed sentences.

        Parameters
        ----------
        sentences : str or sequence of str
            One sentence (the result is then 1-D) or a list of them. The empty
            string is allowed (it embeds the special tokens alone).
        batch_size : int, default=32
            Sentences per forward pass.
        normalize_embeddings : bool, default=None
            L2-normalise each embedding; None follows the model folder (a
            Normalize module in modules.json).
        show_progress_bar : bool, default=None
            Draw a progress bar on stderr. None draws one for long inputs (at least
            8 batches) when the ``fastml.nn._sentence`` logger is at INFO or DEBUG
            level.
        n_jobs : int, default=None
            Threads of the attention and GELU kernels (None means 1, -1 all CPUs);
            the matrix products use numpy's BLAS thread pool.

        Returns
        -------
        embeddings : ndarray of shape (n_sentences, embedding_dim) or (embedding_dim,)
            In the model's dtype (float32 by default), rows in the input order.

        Warns
        -----
        UserWarning
            When sentences are longer than ``max_seq_length`` tokens (they are
            truncated, as sentence-transformers does silently).
        """
        single = isinstance(sentences, str)
        texts = [sentences] if single else sentences
        if isinstance(texts, np.ndarray):
            texts = texts.tolist()
        if not isinstance(texts, Sequence):
            raise ValueError(
                "sentences must be a string or a sequence of strings, got "
                f"{type(sentences).__name__}."
            )
        texts = list(texts)
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise ValueError(
                    f"sentences must be strings; item {i} is {type(text).__name__}."
                )
        if isinstance(batch_size, bool) or not isinstance(
            batch_size, (int, np.integer)
        ):
            raise ValueError(f"batch_size must be an int, got {batch_size!r}.")
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}.")
        resolve_n_jobs(n_jobs)
        normalize = (
            self.normalize
            if normalize_embeddings is None
            else bool(normalize_embeddings)
        )
        n = len(texts)
        out = np.empty((n, self.embedding_dim), dtype=self.model.dtype)
        n_batches = -(-n // batch_size)
        if show_progress_bar is None:
            show_progress_bar = (
                n_batches >= _AUTO_PROGRESS_BATCHES
                and logger.getEffectiveLevel() <= logging.INFO
            )
        progress = _Progress(n_batches, sys.stderr) if show_progress_bar else None
        # Longest first, as sentence-transformers: batches of similar lengths pad
        # little. Stable, so equal lengths keep the input order.
        order = np.argsort([-len(t) for t in texts], kind="stable")
        n_truncated = 0
        for start in range(0, n, batch_size):
            rows = order[start : start + batch_size]
            ids, truncated = self.tokenize([texts[i] for i in rows])
            n_truncated += truncated
            lengths = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
            flat = np.fromiter(
                (t for row in ids for t in row), dtype=np.int64, count=lengths.sum()
            )
            # Only real tokens are computed (no padding rows in the products).
            hidden = self.model.forward_packed(flat, lengths, n_jobs=n_jobs)
            out[rows] = self._pool(hidden, lengths)
            if progress is not None:
                progress.update()
        if progress is not None:
            progress.close()
        if n_truncated:
            warnings.warn(
                f"{n_truncated} of {n} sentences exceed max_seq_length="
                f"{self.max_seq_length} tokens and were truncated.",
                UserWarning,
                stacklevel=2,
            )
        if normalize and n:
            norms = np.sqrt(np.einsum("ij,ij->i", out, out, dtype=np.float64))
            out /= np.maximum(norms, 1e-12).astype(out.dtype)[:, None]
        return out[0] if single else out

    def __repr__(self) -> str:
        return (
            f"SentenceEncoder({self.model!r}, pooling={self.pooling}, "
            f"normalize={self.normalize}, max_seq_length={self.max_seq_length})"
        )
