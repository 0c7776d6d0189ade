"""MinHash signatures (one-permutation hashing) and LSH band keys, vectorised over a batch.

Written here rather than taken from datasketch because it is measurably faster on this
workload (bench/dedup.py prints both: datasketch does about 1,000 articles/s here with word
5-grams) and because signatures are persisted in the warehouse, so they must be stable
across processes and releases.

Shingles are word 6-grams (``unit="word"``, the default) or character n-grams
(``unit="char"``) of the normalised text after OCR-confusable folding (``fold_ocr``), hashed to
64 bits by rolling a polynomial over per-word xxh3 (or per-character) hashes.

Why these, measured in bench/dedup.py --grid on neardup_dev, BBC DUPLICATES.tsv and Reuters:
copies that travel through OCR or re-typing differ by single characters ("rn" for "m", "1" for
"l", "c" for "e"), and one wrong letter breaks every word n-gram over it: word 4-grams rejoined
42 % of the OCR-noised copies. Folding the classic OCR confusion pairs to one letter on both
sides (fold_ocr) makes those copies whole again (100 %). Character 8-grams were as robust to
noise but joined 2,855 pairs of Reuters stories written to one template (weekly money supply,
dividend notices) that differ only in their figures; word 6-grams break on every changed
figure and joined 13. Longer word grams also keep different reports of one event apart.
A signature is one-permutation hashing with rotation
densification (Li, Owen & Zhang 2012; Shrivastava & Li 2014): each shingle's mixed hash picks
one of ``num_perm`` bins by its top bits and competes for that bin's minimum with its low
bits; empty bins borrow from the next non-empty bin. It estimates Jaccard like classic
MinHash but costs one hash per shingle instead of one per shingle per permutation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain

import numpy as np
import xxhash

_ROLL = np.uint64(0x9E3779B97F4A7C15)
_EMPTY = np.uint32(0xFFFFFFFF)


@dataclass(frozen=True)
class MinHasher:
    """A fixed hash family; ``seed`` makes signatures reproducible across runs and machines."""

    num_perm: int = 128
    shingle: int = 6
    seed: int = 1
    unit: str = "word"
    fold_ocr: bool = True
    _a: np.uint64 = field(init=False, repr=False)
    _b: np.uint64 = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.num_perm & (self.num_perm - 1):
            raise ValueError("num_perm must be a power of two")
        if self.unit not in ("char", "word"):
            raise ValueError(f"unit must be 'char' or 'word', not {self.unit!r}")
        rng = np.random.default_rng(self.seed)
        object.__setattr__(self, "_a", np.uint64(rng.integers(1, 2**62) * 2 + 1))
        object.__setattr__(self, "_b", np.uint64(rng.integers(1, 2**62)))

    @property
    def scheme(self) -> str:
        """Names everything a signature depends on: signatures of two schemes are not comparable."""
        fold = "-ocrfold" if self.fold_ocr else ""
        return f"{self.unit}{self.shingle}{fold}-oph{self.num_perm}-seed{self.seed}"

    def shingle_hashes(self, normalised_texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Shingle hashes of a batch: (flat uint64 hashes, owning text index per hash)."""
        if self.fold_ocr:
            normalised_texts = [fold_ocr_confusables(t) for t in normalised_texts]
        if self.unit == "char":
            return self._char_hashes(normalised_texts)
        return self._word_hashes(normalised_texts)

    def _char_hashes(self, normalised_texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Character n-gram hashes: per-code-point hashes rolled into n-grams (see _rolled)."""
        lengths = np.array([len(t) for t in normalised_texts], dtype=np.int64)
        points = np.frombuffer("".join(normalised_texts).encode("utf-32-le"), dtype=np.uint32)
        with np.errstate(over="ignore"):
            h = (points.astype(np.uint64) + np.uint64(1)) * np.uint64(0xC2B2AE3D27D4EB4F)
        return _rolled(h, lengths, self.shingle)

    def _word_hashes(self, normalised_texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Word n-gram hashes: per-word xxh3 hashes rolled into n-grams (see _rolled).

        Per-word hashes go through a dict built from the batch's vocabulary, far smaller than
        its token count.
        """
        docs = [t.split() for t in normalised_texts]
        lengths = np.array([len(d) for d in docs], dtype=np.int64)
        vocab = {w: xxhash.xxh3_64_intdigest(w.encode()) for w in set(chain.from_iterable(docs))}
        h = np.fromiter(
            map(vocab.__getitem__, chain.from_iterable(docs)), dtype=np.uint64, count=int(lengths.sum())
        )
        return _rolled(h, lengths, self.shingle)

    def signatures(self, hashes: np.ndarray, owner: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
        """(count × num_perm uint32 signatures, shingle count per text) from shingle_hashes.

        The per-bin minimum is one sort of (slot << 32 | value) keys instead of numpy's slow
        ufunc.at. Shingle counts include repeats (a repeated 6-gram is rare in news prose); they
        only feed the containment estimate. An empty text gets an all-0xFFFFFFFF signature.
        """
        sig = np.full(count * self.num_perm, _EMPTY, dtype=np.uint32)
        sizes = np.bincount(owner, minlength=count)
        bits = self.num_perm.bit_length() - 1
        with np.errstate(over="ignore"):
            mixed = hashes * self._a + self._b
        slot = owner.astype(np.uint64) * np.uint64(self.num_perm) + (mixed >> np.uint64(64 - bits))
        keys = np.sort((slot << np.uint64(32)) | (mixed & np.uint64(0xFFFFFFFF)))
        slots = keys >> np.uint64(32)
        first = np.ones(len(keys), dtype=bool)
        first[1:] = slots[1:] != slots[:-1]
        sig[slots[first].astype(np.int64)] = (keys[first] & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        sig = sig.reshape(count, self.num_perm)
        _densify(sig, sizes > 0)
        return sig, sizes


_OCR_PAIRS = (("rn", "m"), ("vv", "w"))
_OCR_LETTERS = str.maketrans({"0": "o", "1": "i", "l": "i", "|": "i", "5": "s", "c": "e", "b": "h"})


def fold_ocr_confusables(normalised: str) -> str:
    """Map each classic OCR confusion pair (rn/m, vv/w, 0/o, 1/l/i, 5/s, c/e, b/h) to one form.

    Applied to both texts before shingling, so it only merges what OCR confuses; the text
    stored and shown is never folded. Distinct words that fold together ("bat", "hat") are rare
    and cost nothing: a shingle is six words.
    """
    for pair, single in _OCR_PAIRS:
        normalised = normalised.replace(pair, single)
    return normalised.translate(_OCR_LETTERS)


def _rolled(h: np.ndarray, lengths: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(flat uint64 n-gram hashes, owning text index per hash) of a batch, rolled in numpy.

    ``h`` holds the unit hashes (words or characters) of every text end to end; n-grams are
    rolled over the whole batch at once and those that would cross from one text into the
    next are dropped. A text shorter than n units is one shingle (its whole text); an empty
    text has none. A batch shorter than n units in all is fine: nothing rolls past its end.
    """
    with np.errstate(over="ignore"):
        acc = h.copy()
        for k in range(1, min(n, len(h))):
            acc[: len(h) - k] = acc[: len(h) - k] * _ROLL + h[k:]
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])) if len(lengths) else lengths
    owner = np.repeat(np.arange(len(lengths)), lengths)
    position = np.arange(len(h)) - np.repeat(starts, lengths)
    # an n-gram starting at `position` fits if position + n <= length; short texts keep
    # their first position, whose hash covers the whole (shorter) text
    doc_len = np.repeat(lengths, lengths)
    keep = (position + n <= doc_len) | ((doc_len < n) & (position == 0))
    if (doc_len < n).any():
        short = keep & (doc_len < n)
        acc[short] = [_short_hash(h[i : i + lengths[owner[i]]]) for i in np.nonzero(short)[0]]
    return acc[keep], owner[keep]


def _short_hash(word_hashes: np.ndarray) -> np.uint64:
    acc = np.uint64(0)
    with np.errstate(over="ignore"):
        for value in word_hashes:
            acc = acc * _ROLL + value
    return acc


def _densify(sig: np.ndarray, nonempty: np.ndarray) -> None:
    """Fill each empty bin from the next non-empty bin to its right (circularly), offset by distance.

    Vectorised: the next filled position is a reversed running minimum over the row doubled.
    """
    empty = sig == _EMPTY
    rows = nonempty & empty.any(axis=1)
    if not rows.any():
        return
    sub, gaps = sig[rows], empty[rows]
    width = sig.shape[1]
    position = np.arange(width)
    index = np.where(gaps, 2 * width, position)
    doubled = np.concatenate([index, np.where(gaps, 2 * width, position + width)], axis=1)
    following = np.minimum.accumulate(doubled[:, ::-1], axis=1)[:, ::-1][:, :width]
    source = following % width
    distance = (following - position).astype(np.uint64)
    borrowed = np.take_along_axis(sub, source, axis=1).astype(np.uint64)
    with np.errstate(over="ignore"):
        filled = ((borrowed + distance * np.uint64(0x9E3779B1)) & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    sig[rows] = np.where(gaps, filled, sub)


def band_keys(signatures: np.ndarray, bands: int) -> np.ndarray:
    """(articles × bands) int64 keys: articles sharing any band key are candidate duplicates."""
    count, width = signatures.shape
    rows = width // bands
    data = signatures[:, : rows * bands].reshape(count, bands, rows).astype(np.uint64)
    with np.errstate(over="ignore"):
        acc = np.full((count, bands), np.uint64(0x243F6A8885A308D3)) + np.arange(bands, dtype=np.uint64)
        for r in range(rows):
            acc = (acc ^ data[:, :, r]) * np.uint64(0x100000001B3)
            acc ^= acc >> np.uint64(29)
    return (acc >> np.uint64(1)).astype(np.int64)


def estimated_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Share of equal signature slots; empty texts are similar to nothing."""
    if a[0] == _EMPTY and (a == _EMPTY).all():
        return 0.0
    return float(np.count_nonzero(a == b)) / len(a)


def containment(jaccard: float, size_a: int, size_b: int) -> float:
    """Share of A's shingles found in B, from Jaccard and the two set sizes.

    |A ∩ B| = J (|A| + |B|) / (1 + J); a trimmed copy A of B has containment near 1 even when
    its Jaccard with B is low.
    """
    if size_a == 0:
        return 0.0
    inter = jaccard * (size_a + size_b) / (1.0 + jaccard)
    return min(1.0, inter / size_a)
