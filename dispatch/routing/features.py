"""TF-IDF rows of a whole batch of texts at once, as the fitted vectorisers' `transform` gives them.

Routing classifies every appeal, so this is on the routing worker's hot path. scikit-learn's
`transform` costs more in per-call checks and per-text Python than the arithmetic for a small
batch; here the texts' terms are collected for the batch, counted, weighted and normalised with a
few array operations. The character 1-3 grams (scikit-learn's `char_wb`: within each
whitespace-separated word padded with one blank on each side) are not even made as strings: each
gram is an integer built from its code points and looked up by binary search among the
vocabulary's grams encoded the same way. `tests/test_classifier.py` checks the rows against
scikit-learn's own `transform`.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy import sparse

_BITS = 21  # one code point (up to U+10FFFF), plus one so that no code point encodes as zero
_SEPARATOR = "\x00"  # between padded words and between texts: no gram spans it


class CharGrams:
    """The vocabulary of a fitted `char_wb` vectoriser (n-grams of up to 3 characters: a gram's
    key is 21 bits per character)."""

    def __init__(self, vocabulary: dict[str, int]):
        terms = [(term, column) for term, column in vocabulary.items() if _SEPARATOR not in term]
        self.longest = max((len(term) for term, _ in terms), default=0)
        if self.longest > 64 // _BITS:
            raise ValueError(f"character grams of {self.longest} do not fit a 64-bit key")
        keys = np.array([_key(term) for term, _ in terms], dtype=np.uint64)
        order = np.argsort(keys)
        self.keys = keys[order]
        self.columns = np.array([column for _, column in terms], dtype=np.int64)[order]

    def lookup(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of every known gram of the texts, a pair per occurrence."""
        pieces = [_SEPARATOR.join(f" {word} " for word in text.lower().split()) for text in texts]
        points = np.frombuffer(_SEPARATOR.join(pieces).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        points = points.astype(np.uint64) + 1
        row_of = np.repeat(np.arange(len(texts)), [len(piece) + 1 for piece in pieces])[:len(points)]
        rows, columns = [], []
        boundary = points == 1  # the separator
        key = np.zeros(len(points), dtype=np.uint64)
        spans = np.zeros(len(points), dtype=bool)
        for n in range(1, self.longest + 1):
            if len(points) < n:
                break
            count = len(points) - n + 1
            key = (key[:count] << np.uint64(_BITS)) | points[n - 1:]
            spans = spans[:count] | boundary[n - 1:]
            found_rows, found_columns = self._known(key, spans, row_of[:count])
            rows.append(found_rows)
            columns.append(found_columns)
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(rows), np.concatenate(columns)

    def _known(self, keys: np.ndarray, spans: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if not len(self.keys):
            return rows[:0], rows[:0]
        at = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        known = (self.keys[at] == keys) & ~spans
        return rows[known], self.columns[at[known]]


def _key(term: str) -> int:
    key = 0
    for character in term:
        key = (key << _BITS) | (ord(character) + 1)
    return key


def term_lookup(texts: Sequence[str], analyse: Callable[[str], list[str]],
                vocabulary: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of every known term `analyse` finds in the texts (the word n-grams)."""
    get, counts, columns = vocabulary.get, [], []
    for text in texts:
        found = [column for column in map(get, analyse(text)) if column is not None]
        columns += found
        counts.append(len(found))
    return np.repeat(np.arange(len(texts)), counts), np.array(columns, dtype=np.int64)


def tfidf(rows: np.ndarray, columns: np.ndarray, *, texts: int, idf: np.ndarray) -> sparse.csr_matrix:
    """Counts of (row, column) pairs as `sublinear_tf` TF-IDF, each row l2-normalised (float32)."""
    counts = sparse.csr_matrix(
        (np.ones(len(columns), dtype=np.float64), (rows, columns)), shape=(texts, len(idf)),
    )
    counts.sum_duplicates()
    values = (np.log(counts.data) + 1) * idf[counts.indices]
    row_of = np.repeat(np.arange(texts), np.diff(counts.indptr))
    norms = np.sqrt(np.bincount(row_of, weights=values * values, minlength=texts))
    values /= norms[row_of]
    return sparse.csr_matrix((values.astype(np.float32), counts.indices, counts.indptr), shape=counts.shape)
