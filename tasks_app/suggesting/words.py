"""Chinese words for the suggester, with jieba (pinned in requirements.txt) beside the character n-grams.

Pure Python, no Django, nothing downloaded: jieba ships its dictionary inside the package; its prefix
cache goes to the system temp dir (never the repository). The user dictionary adds what a general
dictionary lacks: every unit name and alias of fixtures/units.json and fixtures/successions.json, and the
domain keywords of fixtures/function_keywords.json, so 棚户区改造 or 市卫生健康委 stay one token.
"""

from __future__ import annotations

import json
import logging
import re
import tempfile
from functools import lru_cache
from pathlib import Path

import jieba

from .concepts import keyword_table

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
_HAN = re.compile(r"^[\u4e00-\u9fff]{2,}$")


def _user_words() -> list[str]:
    words: list[str] = []
    units = json.loads((FIXTURES / "units.json").read_text(encoding="utf-8"))
    for unit in units.get("units", []):
        words.extend((unit["name"], *unit.get("aliases", [])))
    reforms = json.loads((FIXTURES / "successions.json").read_text(encoding="utf-8"))
    for rule in reforms.get("successions", []):
        new = rule["to"] if isinstance(rule["to"], list) else [rule["to"]]
        words.extend((*rule["from"], *new, *rule.get("aliases", [])))
    words.extend(word for found in keyword_table().values() for word in found)
    return [word for word in dict.fromkeys(words) if _HAN.match(word)]


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = tempfile.gettempdir()  # the prefix cache: a temp file, never in the repository
    tokenizer.cache_file = "jieba-planner.cache"
    tokenizer.initialize()
    for word in _user_words():
        tokenizer.add_word(word, freq=2000)
    return tokenizer


def words_cut(text: str) -> list[str]:
    """The Han words of two or more characters in ``text`` (single characters carry little meaning)."""
    return [word for word in _tokenizer().lcut(text, HMM=False) if _HAN.match(word)]
