"""Propose lead and cooperating units for an item's text, learnt from items already divided.

Pure Python, no Django. The method, in the order a reviewer can check it:

1. Nearest neighbours. Every divided item becomes a TF-IDF vector of character 2/3-grams
   (``textvec``). For a new text the ``k`` most similar divided items vote: each neighbour gives
   ``similarity ** power`` to each of its lead units (and to its cooperating units, for the
   cooperating list). Votes are divided by the total weight, so a score of 0.8 means "80% of the
   weight of the similar items named this unit".
2. Function words. Each unit may come with the words of what it does (教育局: 学校, 教师, 学前…,
   from ``concepts.FUNCTIONS``). A unit whose words occur in the text gets ``lexicon_weight`` ×
   its share of the matched words; this also proposes units no divided item has named yet.
3. A small prior (``prior_weight`` × how often the unit leads) breaks ties between equal votes.

Units are opaque strings to this module (concept keys, see ``concepts``); ``unit_map`` turns them
into the names of the target jurisdiction (summing the scores of keys that land on one unit, e.g.
教育 + 旅游 → 教文旅局) and drops keys mapped to ``None``. Every suggestion says why: the neighbours
that voted, the function words that matched, and the terms the text shares with its neighbours.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .textvec import TfidfIndex, Vector, shared_terms_find
from .words import words_cut


@dataclass(frozen=True)
class TrainingExample:
    """One divided item: its text, its lead (or else responsible) units and its cooperating units."""

    item_id: int | str
    plan: str
    text: str
    lead: tuple[str, ...]
    cooperating: tuple[str, ...] = ()
    jurisdiction: str = ""
    context: str = ""  # the headings of the chapter/section the item stands under


@dataclass(frozen=True)
class Neighbour:
    item_id: int | str
    plan: str
    similarity: float
    text: str


@dataclass(frozen=True)
class UnitScore:
    unit: str
    score: float
    neighbours: tuple[int | str, ...] = ()  # ids of the similar items that named this unit
    words: tuple[str, ...] = ()  # function words of the unit found in the text


@dataclass(frozen=True)
class Suggestion:
    lead: list[UnitScore]
    cooperating: list[UnitScore]
    neighbours: list[Neighbour]
    matched_terms: list[str]


@dataclass(frozen=True)
class SuggesterSettings:
    neighbours: int = 12
    power: float = 2.0
    confidence_floor: float = 0.05
    lexicon_weight: float = 0.35
    cooperating_lexicon_weight: float = 0.15
    prior_weight: float = 0.05
    lead_as_cooperating: float = 0.3  # a unit leading similar items often cooperates on this one
    top: int = 5
    shown_neighbours: int = 5
    words: bool = True  # jieba words beside the character n-grams (suggesting.words)
    # the headings the item stands under, matched against the training items' headings (a chapter's
    # units are often shared): their units vote like the text neighbours, with this weight
    heading_weight: float = 0.0
    heading_neighbours: int = 12
    # cosine similarity to each unit's centroid (the sum of the vectors of the items it leads)
    centroid_weight: float = 0.0
    cooperating_centroid_weight: float = 0.0  # the same over the items each unit cooperates on
    heading_words_weight: float = 0.0  # function words found in the headings (提升医疗卫生服务水平 → 卫生健康)


UnitMap = Mapping[str, str | None] | Callable[[str], str | None]


@dataclass(frozen=True)
class Parts:
    """What one text gets from each source before weighting: per source, unit → score (lead and
    cooperating). ``suggest`` combines them with the settings' weights; ``tuning`` re-weighs them many times
    without recomputing the neighbours."""

    lead: dict[str, dict[str, float]]
    cooperating: dict[str, dict[str, float]]
    why: dict[str, list[int | str]]  # unit → ids of the similar items that named it
    found: list[tuple[int, float]]
    words_found: dict[str, tuple[str, ...]]


class DivisionSuggester:
    """Nearest-neighbour + heading + centroid + function-word suggester over a fixed set of divided items."""

    def __init__(
        self,
        *,
        examples: Sequence[TrainingExample],
        unit_words: Mapping[str, Sequence[str]] | None = None,
        settings: SuggesterSettings | None = None,
    ) -> None:
        self.examples = list(examples)
        self.settings = settings or SuggesterSettings()
        self.unit_words = {unit: tuple(words) for unit, words in (unit_words or {}).items() if words}
        self.index = TfidfIndex(
            documents=[example.text for example in self.examples], words=words_cut if self.settings.words else None
        )
        self.headings = TfidfIndex(documents=[example.context for example in self.examples])
        self._lead_counts: Counter[str] = Counter(unit for ex in self.examples for unit in ex.lead)
        self.centroids = _Centroids(vectors=self.index.vectors, owners=[ex.lead for ex in self.examples])
        self.cooperating_centroids = _Centroids(
            vectors=self.index.vectors, owners=[ex.cooperating for ex in self.examples]
        )
        word_owners: Counter[str] = Counter(word for words in self.unit_words.values() for word in words)
        self._word_share = {word: 1.0 / owners for word, owners in word_owners.items()}
        self._vectors: dict[tuple[int, str], Vector] = {}

    def suggest(
        self,
        *,
        text: str,
        context: str = "",
        unit_map: UnitMap | None = None,
        exclude: Sequence[int] = (),
        settings: SuggesterSettings | None = None,
    ) -> Suggestion:
        """Suggestions for one text under the headings ``context``; ``exclude`` holds example positions to
        ignore (leave-one-out: they neither vote nor count in the centroids or the prior)."""
        settings = settings or self.settings
        parts = self.parts(text=text, context=context, exclude=exclude, settings=settings)
        lead, cooperating = parts_combine(parts=parts, settings=settings)
        mapper = _mapper(unit_map)
        lead_scores = _ranked(lead, parts.why, parts.words_found, mapper, settings.top, skip=())
        top_lead = {lead_scores[0].unit} if lead_scores else set()
        coop_scores = _ranked(cooperating, parts.why, parts.words_found, mapper, settings.top, skip=top_lead)
        neighbours = [
            Neighbour(self.examples[p].item_id, self.examples[p].plan, round(s, 4), self.examples[p].text)
            for p, s in parts.found[: settings.shown_neighbours]
        ]
        return Suggestion(lead_scores, coop_scores, neighbours, self._terms(text, parts.found, lead_scores))

    def parts(
        self, *, text: str, context: str = "", exclude: Sequence[int] = (), settings: SuggesterSettings | None = None
    ) -> Parts:
        """Every source's scores for ``text``; a held-out position counts in none of them."""
        settings = settings or self.settings
        vector = self._vector(self.index, text)
        found = self.index.nearest_find(vector=vector, limit=settings.neighbours, exclude=exclude)
        why: dict[str, list[int | str]] = {}
        lead: dict[str, dict[str, float]] = {}
        cooperating: dict[str, dict[str, float]] = {}
        lead["neighbours"], cooperating["neighbours"], cooperating["neighbours_lead"] = self._vote(found, why)
        near = []
        if context:
            near = self.headings.nearest_find(
                vector=self._vector(self.headings, context), limit=settings.heading_neighbours, exclude=exclude
            )
        lead["headings"], cooperating["headings"], cooperating["headings_lead"] = self._vote(near, None)
        lead["centroid"] = self.centroids.similarities(vector=vector, exclude=exclude)
        cooperating["centroid"] = self.cooperating_centroids.similarities(vector=vector, exclude=exclude)

        words_found = self._words_find(text=text)
        best = max((sum(self._word_share[w] for w in words) for words in words_found.values()), default=0.0)
        lead["words"] = {unit: sum(self._word_share[w] for w in words) / best for unit, words in words_found.items()}
        cooperating["words"] = dict(lead["words"])
        heading_words = self._words_find(text=context) if context else {}
        best = max((sum(self._word_share[w] for w in words) for words in heading_words.values()), default=0.0)
        lead["heading_words"] = {
            unit: sum(self._word_share[w] for w in words) / best for unit, words in heading_words.items()
        }

        counts = self._lead_counts.copy()
        for position in exclude:
            counts.subtract(self.examples[position].lead)
        most = max(counts.values(), default=0) or 1
        lead["prior"] = {unit: max(count, 0) / most for unit, count in counts.items() if count > 0}
        return Parts(lead, cooperating, why, found, words_found)

    def _vector(self, index: TfidfIndex, text: str) -> Vector:
        """``index.vector_for(text)``, remembered: tuning asks for every training text many times."""
        key = (id(index), text)
        if key not in self._vectors:
            if len(self._vectors) > 20000:
                self._vectors.clear()
            self._vectors[key] = index.vector_for(text=text)
        return self._vectors[key]

    def _vote(
        self, found: list[tuple[int, float]], why: dict[str, list[int | str]] | None
    ) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
        """Lead, cooperating and lead-as-cooperating votes of ``found``: each neighbour gives
        ``similarity ** power``, normalised by the neighbours' total weight but never by less than
        ``confidence_floor`` (a few faint neighbours must not outvote the function words)."""
        settings = self.settings
        lead: dict[str, float] = {}
        cooperating: dict[str, float] = {}
        total = max(sum(similarity**settings.power for _, similarity in found), settings.confidence_floor)
        for position, similarity in found:
            example = self.examples[position]
            share = similarity**settings.power / total
            for unit in example.lead:
                lead[unit] = lead.get(unit, 0.0) + share
                if why is not None:
                    why.setdefault(unit, []).append(example.item_id)
            for unit in example.cooperating:
                cooperating[unit] = cooperating.get(unit, 0.0) + share
                if why is not None:
                    why.setdefault(unit, []).append(example.item_id)
        return lead, cooperating, dict(lead)

    def _words_find(self, *, text: str) -> dict[str, tuple[str, ...]]:
        found: dict[str, tuple[str, ...]] = {}
        for unit, words in self.unit_words.items():
            hits = tuple(word for word in words if word in text)
            if hits:
                found[unit] = hits
        return found

    def _terms(self, text: str, found: list[tuple[int, float]], lead: list[UnitScore]) -> list[str]:
        terms: list[str] = []
        for position, _ in found[:3]:
            for term in shared_terms_find(text=text, other=self.examples[position].text, idf=self.index.idf):
                if term not in terms:
                    terms.append(term)
        for score in lead[:3]:
            terms.extend(word for word in score.words if word not in terms)
        return terms[:12]


class _Centroids:
    """The sum of the (unit-length) vectors of the items each unit leads; the cosine of a text to it, with
    held-out items subtracted exactly (their vectors are taken out of the sum and of its norm)."""

    def __init__(self, *, vectors: Sequence[Vector], owners: Sequence[tuple[str, ...]]) -> None:
        self.vectors = vectors
        self.owners = owners
        sums: dict[str, Vector] = {}
        for vector, units in zip(vectors, owners, strict=True):
            for unit in units:
                total = sums.setdefault(unit, {})
                for gram, weight in vector.items():
                    total[gram] = total.get(gram, 0.0) + weight
        self.sums = sums
        self.norms2 = {unit: sum(w * w for w in total.values()) for unit, total in sums.items()}
        self.postings: dict[str, list[tuple[str, float]]] = {}
        for unit, total in sums.items():
            for gram, weight in total.items():
                self.postings.setdefault(gram, []).append((unit, weight))

    def similarities(self, *, vector: Vector, exclude: Sequence[int] = ()) -> dict[str, float]:
        dots: dict[str, float] = {}
        for gram, weight in vector.items():
            for unit, other in self.postings.get(gram, ()):
                dots[unit] = dots.get(unit, 0.0) + weight * other
        norms2 = dict(self.norms2)
        held: dict[str, list[int]] = {}
        for position in exclude:
            for unit in self.owners[position]:
                held.setdefault(unit, []).append(position)
        for unit, positions in held.items():  # the unit's sum without the held-out items, exactly
            rest = dict(self.sums[unit])
            for position in positions:
                for gram, weight in self.vectors[position].items():
                    rest[gram] -= weight
            norms2[unit] = sum(w * w for w in rest.values())
            dots[unit] = sum(weight * rest.get(gram, 0.0) for gram, weight in vector.items())
        return {unit: dot / math.sqrt(norms2[unit]) for unit, dot in dots.items() if dot > 1e-9 and norms2[unit] > 1e-9}


def parts_combine(*, parts: Parts, settings: SuggesterSettings) -> tuple[dict[str, float], dict[str, float]]:
    """Lead and cooperating scores: the weighted sum of the sources (a unit only the prior knows is not
    proposed: the prior breaks ties between units some source named)."""
    lead_weights = {
        "neighbours": 1.0,
        "headings": settings.heading_weight,
        "centroid": settings.centroid_weight,
        "words": settings.lexicon_weight,
        "heading_words": settings.heading_words_weight,
    }
    cooperating_weights = {
        "neighbours": 1.0,
        "neighbours_lead": settings.lead_as_cooperating,
        "headings": settings.heading_weight,
        "headings_lead": settings.heading_weight * settings.lead_as_cooperating,
        "words": settings.cooperating_lexicon_weight,
        "centroid": settings.cooperating_centroid_weight,
    }
    lead = _weighted(parts.lead, lead_weights)
    prior = parts.lead["prior"]
    for unit in lead:
        lead[unit] += settings.prior_weight * prior.get(unit, 0.0)
    return lead, _weighted(parts.cooperating, cooperating_weights)


def _weighted(sources: Mapping[str, Mapping[str, float]], weights: Mapping[str, float]) -> dict[str, float]:
    total: dict[str, float] = {}
    for source, weight in weights.items():
        if not weight:
            continue
        for unit, score in sources.get(source, {}).items():
            total[unit] = total.get(unit, 0.0) + weight * score
    return total


def _mapper(unit_map: UnitMap | None) -> Callable[[str], str | None]:
    if unit_map is None:
        return lambda unit: unit
    if callable(unit_map):
        return unit_map
    return lambda unit: unit_map.get(unit, unit)


def _ranked(
    scores: Mapping[str, float],
    why_of: Mapping[str, Sequence[int | str]],
    words_found: Mapping[str, tuple[str, ...]],
    mapper: Callable[[str], str | None],
    top: int,
    skip: set[str] | tuple[()],
) -> list[UnitScore]:
    merged: dict[str, float] = {}
    why: dict[str, list[int | str]] = {}
    words: dict[str, list[str]] = {}
    for unit, score in scores.items():
        target = mapper(unit)
        if target is None or target in skip:
            continue
        merged[target] = merged.get(target, 0.0) + score
        for item_id in why_of.get(unit, ()):
            if item_id not in why.setdefault(target, []):
                why[target].append(item_id)
        for word in words_found.get(unit, ()):
            if word not in words.setdefault(target, []):
                words[target].append(word)
    ranked = sorted(merged.items(), key=lambda pair: (-pair[1], pair[0]))[:top]
    return [
        UnitScore(unit, round(score, 4), tuple(why.get(unit, ())), tuple(words.get(unit, ()))) for unit, score in ranked
    ]
