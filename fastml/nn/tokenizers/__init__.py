"""Tokenizers and word-vector lookups for text models.

- :class:`WordPieceTokenizer`: BERT's WordPiece tokenizer (``vocab.txt``), the same
  ids as Hugging Face's BERT tokenizer, batch encoding to numpy arrays.
- :class:`WordTokenizer`: word-level vocabulary with an unknown token (Word2Vec
  style).
- :class:`FastTextSubwords`: fastText's hashed character n-grams, so that words
  outside the vocabulary get vectors.
- :class:`GloveLookup`: word to vector lookup (GloVe text files), zero vector for
  unknown words.
"""

from fastml.nn.tokenizers._fasttext import FastTextSubwords, fasttext_hash
from fastml.nn.tokenizers._word import GloveLookup, WordTokenizer
from fastml.nn.tokenizers._wordpiece import WordPieceTokenizer, load_vocab

__all__ = [
    "FastTextSubwords",
    "GloveLookup",
    "WordPieceTokenizer",
    "WordTokenizer",
    "fasttext_hash",
    "load_vocab",
]
