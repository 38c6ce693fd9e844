"""Character n-gram TF-IDF over Chinese text, with an inverted index for nearest neighbours.

Pure Python, no Django, no downloads. Chinese has no spaces, and most words are two or three
characters long, so character 2- and 3-grams of the Han (and Latin) runs are a robust stand-in for
words: "棚户区住房改造" shares "棚户", "户区", "住房", "房改", "改造", "棚户区"… with any text about
shantytown renovation. Digits and punctuation are dropped (targets and years say nothing about
who does the work). Weights are sublinear tf × smoothed idf, vectors are L2-normalised, so the dot
product of two vectors is their cosine similarity.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

_RUNS = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z]{2,}")
GRAM_SIZES = (2, 3)

Vector = dict[str, float]


Words = Callable[[str], list[str]]


def grams_count(*, text: str, sizes: Sequence[int] = GRAM_SIZES, words: Words | None = None) -> Counter[str]:
    """Character n-grams of every Han or Latin run of ``text``, with their counts; with ``words`` (a
    tokenizer, ``suggesting.words.words_cut``) also its words of three or more characters, as "w:…"
    features (two-character words already are 2-grams)."""
    counts: Counter[str] = Counter()
    if words is not None:
        counts.update(f"w:{word}" for word in words(text) if len(word) >= 3)
    for run in _RUNS.findall(text):
        run = run.upper()
        for size in sizes:
            for start in range(len(run) - size + 1):
                counts[run[start : start + size]] += 1
    return counts


class TfidfIndex:
    """TF-IDF vectors of a fixed list of documents and an inverted index to find the nearest ones."""

    def __init__(
        self, *, documents: Sequence[str], sizes: Sequence[int] = GRAM_SIZES, words: Words | None = None
    ) -> None:
        self.sizes = tuple(sizes)
        self.words = words
        counts = [grams_count(text=document, sizes=self.sizes, words=words) for document in documents]
        frequency: Counter[str] = Counter()
        for document_counts in counts:
            frequency.update(document_counts.keys())
        total = len(documents)
        self.idf: dict[str, float] = {
            gram: math.log((total + 1) / (seen + 1)) + 1.0 for gram, seen in frequency.items()
        }
        self.vectors: list[Vector] = [self._weigh(document_counts) for document_counts in counts]
        self.postings: dict[str, list[tuple[int, float]]] = {}
        for position, vector in enumerate(self.vectors):
            for gram, weight in vector.items():
                self.postings.setdefault(gram, []).append((position, weight))

    def vector_for(self, *, text: str) -> Vector:
        """The vector of a new text; n-grams never seen in the documents carry no weight."""
        return self._weigh(grams_count(text=text, sizes=self.sizes, words=self.words))

    def nearest_find(self, *, vector: Vector, limit: int, exclude: Iterable[int] = ()) -> list[tuple[int, float]]:
        """Up to ``limit`` (document position, cosine similarity) pairs, most similar first, sim > 0."""
        scores: dict[int, float] = {}
        for gram, weight in vector.items():
            for position, other in self.postings.get(gram, ()):
                scores[position] = scores.get(position, 0.0) + weight * other
        for position in exclude:
            scores.pop(position, None)
        ranked = sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))
        return [(position, score) for position, score in ranked[:limit] if score > 0]

    def _weigh(self, counts: Counter[str]) -> Vector:
        vector = {gram: (1.0 + math.log(count)) * self.idf[gram] for gram, count in counts.items() if gram in self.idf}
        norm = math.sqrt(sum(weight * weight for weight in vector.values()))
        if not norm:
            return {}
        return {gram: weight / norm for gram, weight in vector.items()}


def shared_terms_find(*, text: str, other: str, idf: dict[str, float], limit: int = 6) -> list[str]:
    """Longest runs of ``text`` made of 2-grams that also occur in ``other``, most informative first.

    "城镇棚户区住房改造" against "加快棚户区改造" gives "棚户区" and "改造": the words a reviewer
    can see in both items, ranked by the summed idf of their 2-grams.
    """
    theirs = set(grams_count(text=other, sizes=(2,)))
    found: dict[str, float] = {}
    for run in _RUNS.findall(text):
        run = run.upper()
        start = 0
        while start < len(run) - 1:
            end = start
            while end < len(run) - 1 and run[end : end + 2] in theirs:
                end += 1
            if end > start:
                term = run[start : end + 1]
                weight = sum(idf.get(term[i : i + 2], 0.0) for i in range(len(term) - 1))
                found[term] = max(found.get(term, 0.0), weight)
                start = end
            else:
                start += 1
    ranked = sorted(found.items(), key=lambda pair: (-pair[1], pair[0]))
    return [term for term, _ in ranked[:limit]]
