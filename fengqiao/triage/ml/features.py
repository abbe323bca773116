"""Fast TF-IDF features over character n-grams, computed with numpy instead of per-token Python.

Every n-gram of a text is turned into a 64-bit hash by a vectorised multiply-xor over the text's code
points; a fitted block keeps the n-grams seen in at least `min_df` training texts in an open-addressing
hash table (vectorised probing), so transforming a batch costs a few numpy passes over its characters.
That is what lets classification run at thousands of cases per second on one core. Hash collisions
between distinct n-grams are possible in principle (64-bit keys) and irrelevant in practice.

A `dictionary` block keeps only n-grams that are words of jieba's dictionary (shipped with the jieba
package, nothing is downloaded): on this data it scores like jieba segmentation, without segmenting.

Values are sublinear TF (1 + log tf) times smoothed IDF, each row L2-normalised per block (the same
numbers as scikit-learn's TfidfVectorizer(sublinear_tf=True, min_df=...)).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import csr_matrix, hstack

_PRIME = np.uint64(0x9E3779B97F4A7C15)
_ONE = np.uint64(1)
_SEP = "\x00"  # never in normalised text (control characters are removed)


def ngram_keys(texts: list[str], salt: int, nmin: int, nmax: int, positions: bool = False):
    """Hash keys of all n-grams (nmin..nmax characters) of `texts`, grouped by text in order.

    Returns (keys, doc) and, with positions=True, also (start, n) of each n-gram in its text.
    """
    n_docs = len(texts)
    lens = np.fromiter((len(t) for t in texts), dtype=np.int64, count=n_docs)
    joined = _SEP.join(texts) + _SEP * (nmax + 1)
    cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    total = int(lens.sum() + n_docs)
    docpos = np.repeat(np.arange(n_docs, dtype=np.int64), lens + 1)
    is_sep = cps == 0
    width = nmax - nmin + 1
    keys = np.empty((total, width), dtype=np.uint64)
    bad = np.empty((total, width), dtype=bool)
    with np.errstate(over="ignore"):
        h = np.full(total, np.uint64(salt), dtype=np.uint64)
        seen_sep = np.zeros(total, dtype=bool)
        for k in range(nmax):
            h = (h ^ cps[k : k + total]) * _PRIME
            seen_sep |= is_sep[k : k + total]
            n = k + 1
            if n >= nmin:
                keys[:, n - nmin] = (h ^ np.uint64(n)) | _ONE  # never 0: 0 marks an empty table slot
                bad[:, n - nmin] = seen_sep
    ok = ~bad.ravel()
    out_keys = keys.ravel()[ok]
    out_docs = np.repeat(docpos, width)[ok]
    if not positions:
        return out_keys, out_docs
    starts = np.arange(total, dtype=np.int64) - np.concatenate([[0], np.cumsum(lens + 1)])[docpos]
    return out_keys, out_docs, np.repeat(starts, width)[ok], np.tile(np.arange(nmin, nmax + 1), total)[ok]


def string_keys(strings: list[str], salt: int) -> np.ndarray:
    """The keys ngram_keys gives these whole strings as n-grams (used to whitelist dictionary words)."""
    if not strings:
        return np.empty(0, dtype=np.uint64)
    lens = np.fromiter((len(s) for s in strings), dtype=np.int64, count=len(strings))
    keys, docs, starts, ns = ngram_keys(strings, salt, int(lens.min()), int(lens.max()), positions=True)
    whole = (starts == 0) & (ns == lens[docs])
    return keys[whole]


class KeyTable:
    """uint64 key -> row index, open addressing with linear probing; build and lookup are vectorised."""

    def __init__(self, keys: np.ndarray):
        n = len(keys)
        self.bits = max(4, int(np.ceil(np.log2(max(n, 1) * 3))))
        size = 1 << self.bits
        self.mask = size - 1
        self.tkeys = np.zeros(size, dtype=np.uint64)  # 0 = empty (keys always have their lowest bit set)
        self.tvals = np.full(size, -1, dtype=np.int32)
        slots = (keys >> np.uint64(64 - self.bits)).astype(np.intp)
        pending = np.arange(n)
        placed = np.zeros(n, dtype=bool)
        while len(pending):
            cand = pending[self.tkeys[slots[pending]] == 0]
            _, first = np.unique(slots[cand], return_index=True)
            win = cand[first]
            self.tkeys[slots[win]] = keys[win]
            self.tvals[slots[win]] = win
            placed[win] = True
            pending = pending[~placed[pending]]
            slots[pending] = (slots[pending] + 1) & self.mask

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """Row index of each key, -1 when absent."""
        slots = (keys >> np.uint64(64 - self.bits)).astype(np.intp)
        found = self.tkeys[slots]
        hit = found == keys
        out = np.full(len(keys), -1, dtype=np.int64)
        out[hit] = self.tvals[slots[hit]]
        active = np.flatnonzero(~hit & (found != 0))
        while len(active):  # linear probing: the rare keys that met another key first
            s = (slots[active] + 1) & self.mask
            slots[active] = s
            found = self.tkeys[s]
            hit = found == keys[active]
            out[active[hit]] = self.tvals[s[hit]]
            active = active[~hit & (found != 0)]
        return out


@dataclass
class NgramBlock:
    """TF-IDF over the character n-grams of one field."""

    name: str
    field: str
    nmin: int = 1
    nmax: int = 3
    min_df: int = 2
    weight: float = 1.0
    salt: int = 1
    dictionary: bool = False  # keep only n-grams that are jieba dictionary words
    vocab: np.ndarray = field(default=None, repr=False)
    idf: np.ndarray = field(default=None, repr=False)
    _table: KeyTable | None = field(default=None, repr=False)

    @property
    def size(self) -> int:
        return len(self.vocab)

    def pairs(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """The distinct (n-gram key, text index) pairs of `texts`, sorted by key: what document
        frequencies of any subset of the texts are counted from (see fit_pairs)."""
        keys, docs = ngram_keys(texts, self.salt, self.nmin, self.nmax)
        if self.dictionary:
            allowed = np.isin(keys, allowed_keys(self.salt, self.nmin, self.nmax))
            keys, docs = keys[allowed], docs[allowed]
        order = np.lexsort((docs, keys))
        k, d = keys[order], docs[order]
        first = np.ones(len(k), dtype=bool)
        first[1:] = (k[1:] != k[:-1]) | (d[1:] != d[:-1])
        return k[first], d[first]

    def fit_pairs(self, keys: np.ndarray, docs: np.ndarray, rows: np.ndarray | None = None) -> NgramBlock:
        """Fit on the texts numbered `rows` (all when None) from precomputed pairs, in linear time."""
        if rows is None:
            n_docs = int(docs.max()) + 1 if len(docs) else 0
        else:
            mask = np.zeros(int(docs.max()) + 1 if len(docs) else 0, dtype=bool)
            rows = np.asarray(rows)
            mask[rows[rows < len(mask)]] = True
            keys = keys[mask[docs]]
            n_docs = len(rows)
        if len(keys):
            starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
            uniq, df = keys[starts], np.diff(np.concatenate([starts, [len(keys)]]))
        else:
            uniq, df = np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
        keep = df >= self.min_df
        self.vocab = uniq[keep]
        self.idf = (np.log((1 + n_docs) / (1 + df[keep])) + 1.0).astype(np.float32)
        self._table = None
        return self

    def fit(self, texts: list[str]) -> NgramBlock:
        keys, docs = self.pairs(texts)
        self.fit_pairs(keys, docs, np.arange(len(texts)))
        return self

    @property
    def table(self) -> KeyTable:
        if self._table is None:
            self._table = KeyTable(self.vocab)
        return self._table

    def transform(self, texts: list[str]) -> csr_matrix:
        n = len(texts)
        keys, docs = ngram_keys(texts, self.salt, self.nmin, self.nmax)
        idx = self.table.lookup(keys)
        ok = idx >= 0
        idx, docs = idx[ok], docs[ok]
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(docs, minlength=n), out=indptr[1:])
        X = csr_matrix((np.ones(len(idx), dtype=np.float32), idx.astype(np.int32), indptr), shape=(n, self.size))
        X.sum_duplicates()
        X.data = (1.0 + np.log(X.data)) * self.idf[X.indices]
        rowlen = np.diff(X.indptr)
        sq = np.bincount(np.repeat(np.arange(n), rowlen), weights=X.data.astype(np.float64) ** 2, minlength=n)
        norms = np.sqrt(sq)
        norms[norms == 0] = 1.0
        X.data *= np.repeat(self.weight / norms, rowlen).astype(np.float32)
        return X

    def locate(self, text: str):
        """(column, start, length) of every known n-gram occurrence in `text`, for naming evidence."""
        keys, _, starts, ns = ngram_keys([text], self.salt, self.nmin, self.nmax, positions=True)
        idx = self.table.lookup(keys)
        hit = idx >= 0
        return idx[hit], starts[hit], ns[hit]

    def names(self, text: str, cols: np.ndarray, located=None) -> dict[int, str]:
        """Column -> n-gram string, for those of `cols` that occur in `text`."""
        idx, starts, ns = located if located is not None else self.locate(text)
        hit = np.isin(idx, cols)
        out: dict[int, str] = {}
        for col, start, n in zip(idx[hit].tolist(), starts[hit].tolist(), ns[hit].tolist(), strict=True):
            out.setdefault(col, text[start : start + n])
        return out

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_table"] = None  # rebuilt on first use: keeps the artefact small
        return state


@dataclass
class OneHotBlock:
    """One column per value of a field seen in training (e.g. the street)."""

    name: str
    field: str
    weight: float = 1.0
    values: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.values)

    def fit(self, texts: list[str]) -> OneHotBlock:
        self.values = sorted(set(texts))
        return self

    def transform(self, texts: list[str]) -> csr_matrix:
        index = {v: i for i, v in enumerate(self.values)}
        cols = [index.get(t, -1) for t in texts]
        rows = [r for r, c in enumerate(cols) if c >= 0]
        data = np.full(len(rows), self.weight, dtype=np.float32)
        return csr_matrix((data, (rows, [cols[r] for r in rows])), shape=(len(texts), self.size), dtype=np.float32)

    def locate(self, text: str):
        return None

    def names(self, text: str, cols: np.ndarray, located=None) -> dict[int, str]:
        return {self.values.index(text): text} if text in self.values else {}


_ALLOWED: dict[tuple[int, int, int], np.ndarray] = {}


def allowed_keys(salt: int, nmin: int, nmax: int) -> np.ndarray:
    """Sorted keys of the dictionary words for a block's salt and n-gram lengths (cached)."""
    key = (salt, nmin, nmax)
    if key not in _ALLOWED:
        _ALLOWED[key] = np.unique(string_keys(dictionary_words(nmin, nmax), salt))
    return _ALLOWED[key]


class FeatureSpace:
    """Blocks side by side; `transform` takes a dict field -> list of (normalised) strings."""

    def __init__(self, blocks: list[NgramBlock | OneHotBlock]):
        self.blocks = blocks
        self.offsets: list[int] = []

    def fit(self, fields: dict[str, list[str]], pairs: dict | None = None, rows=None) -> FeatureSpace:
        """Fit every block on `fields`, or only on the texts numbered `rows` using `pairs` (from
        .pairs(fields) of a space with the same blocks): cross-validation then sorts n-grams once."""
        offset, self.offsets = 0, []
        for i, block in enumerate(self.blocks):
            if pairs is not None and isinstance(block, NgramBlock):
                block.fit_pairs(*pairs[i], rows)
            elif rows is not None:
                block.fit([fields[block.field][r] for r in rows])
            else:
                block.fit(fields[block.field])
            self.offsets.append(offset)
            offset += block.size
        return self

    def pairs(self, fields: dict[str, list[str]]) -> dict:
        return {i: b.pairs(fields[b.field]) for i, b in enumerate(self.blocks) if isinstance(b, NgramBlock)}

    @property
    def size(self) -> int:
        return sum(b.size for b in self.blocks)

    def transform(self, fields: dict[str, list[str]]) -> csr_matrix:
        return hstack([b.transform(fields[b.field]) for b in self.blocks], format="csr")

    def fit_transform(self, fields: dict[str, list[str]]) -> csr_matrix:
        return self.fit(fields).transform(fields)

    def locate(self, fields: dict[str, str]) -> list:
        return [block.locate(fields[block.field]) for block in self.blocks]

    def names(self, fields: dict[str, str], cols: np.ndarray, located: list | None = None) -> dict[int, tuple[str, str]]:
        """Global column -> (block name, n-gram or value), for the columns `cols` of one case.
        `located` (from .locate(fields)) saves re-scanning the text when naming for several labels."""
        out: dict[int, tuple[str, str]] = {}
        cols = np.asarray(cols)
        for i, (block, offset) in enumerate(zip(self.blocks, self.offsets, strict=True)):
            local = cols[(cols >= offset) & (cols < offset + block.size)] - offset
            if len(local):
                found = block.names(fields[block.field], local, located[i] if located is not None else None)
                for col, name in found.items():
                    out[offset + col] = (block.name, name)
        return out


_DICT_CACHE: dict[tuple[int, int], list[str]] = {}


def dictionary_words(nmin: int, nmax: int) -> list[str]:
    """Words of jieba's bundled dictionary (dict.txt inside the package), of nmin..nmax characters."""
    key = (nmin, nmax)
    if key not in _DICT_CACHE:
        from importlib.resources import files

        words = set()
        with files("jieba").joinpath("dict.txt").open(encoding="utf-8") as fh:
            for line in fh:
                word = line.split(" ", 1)[0].lower()
                if nmin <= len(word) <= nmax:
                    words.add(word)
        _DICT_CACHE[key] = sorted(words)
    return _DICT_CACHE[key]
