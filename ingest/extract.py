"""Rule-based extraction of entities and relations from Chinese industry and policy documents.

No trained model: a blank spaCy ``zh`` pipeline with jieba segmentation (jieba's part-of-speech
tags are kept on the tokens), an EntityRuler built from the names the graph already knows, and
general rules:

- **names by form**: the maximal run of name-like tokens before an organisation suffix
  (…有限公司, …集团, …研究院, …大学, …产业园, …高新区, …管委会, …局 …). The run stops at
  punctuation, function words and governing verbs (依托, 加强, 推进, 与, 和, 、 …); a phrase is kept
  only if it has a distinctive part (a place or proper name, a rare or unknown word, an admin
  prefix such as 市/县), so descriptions like 工程研究中心 are not taken for names;
- **regions**: X省 / X市 / X县 … where X is a place name;
- **tasks and their units**: numbered headings (``1.创新政府管理机制。``, ``(三)人才集聚创新``)
  with ``牵头单位:`` / ``责任单位:`` / ``实施主体:`` lines → LEADS / RESPONSIBLE_FOR / IMPLEMENTS;
- **依托 X … 重点发展 Y** → X ANCHORS Y, and a park or region subject S → S DEVELOPS Y;
- **cooperation**: ``A 与 B、C … 合作/共建/签署 …``, ``加强与 X 的合作``, ``A 对接 B`` → COOPERATES_WITH;
- **chains** written ``A—B—C`` → A UPSTREAM_OF B, B UPSTREAM_OF C.

``Extractor.extract(text)`` returns :class:`Candidate` records; ``stage`` writes them into a store
with status ``extracted`` for review (``ingest.review``). Command line::

    python -m ingest.extract FILE [--graph URL] [--known] [--stage --source-id ID --source-name NAME]

prints one JSON object per line (the contract of :meth:`Candidate.to_json`).
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import itertools
import json
import logging
import os
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import jieba
import jieba.posseg
import spacy
from spacy.tokens import Doc

from graph.errors import InvalidElementError
from graph.model import (
    ACTOR_LABELS,
    ENTITY_LABEL,
    ID_PATTERN,
    NODE_LABELS,
    REL_TYPES,
    Edge,
    Node,
    Source,
    Status,
    check_rel_type,
    endpoint_labels_ok,
    utc_now,
)
from graph.store import GraphStore, model_label
from ingest import textutil as tu

__all__ = [
    "Candidate",
    "Extractor",
    "StageResult",
    "extracted_id",
    "known_from_store",
    "main",
    "stage",
]

jieba.setLogLevel(logging.WARNING)

# Confidence of each kind of evidence.
CONF_KNOWN = 0.95
CONF_SUFFIX = 0.75
CONF_ROLE_ITEM = 0.8
CONF_TASK = 0.85
CONF_CHAIN_ITEM = 0.8
CONF_TARGET_ITEM = 0.7
CONF_REL_ROLE = 0.85
CONF_REL_CHAIN = 0.8
CONF_REL_COOP = 0.8
CONF_REL_COOP_IMPLICIT = 0.7
CONF_REL_ANCHOR = 0.75

# Labels of known nodes that are not matched in text (documents, targets and task headings are
# not names that recur in other documents).
UNMATCHED_KNOWN_LABELS = frozenset({"Source", "Target", "Task"})
ORG_LABELS = frozenset({"Enterprise", "Institution", "Park", "GovernmentUnit"})
GENERIC_PIECES = frozenset(tu.GENERIC_WORDS | set(tu.ADMIN_ADJECTIVES))
MAX_NAME_CHARS = 32
MAX_ITEM_CHARS = 16

DEV_TRIGGER = re.compile(
    r"重点发展|重点布局|大力发展|着力发展|加快发展|积极发展|优先发展|主要发展|延伸发展|培育发展|培育壮大|重点培育|发展"
)
ANCHOR_WORD = re.compile(r"依托|依靠")
COOP_CONNECTOR = re.compile(r"与|和|同|跟")
COOP_WORD = re.compile(r"合作|协作|共建|签署|签约|签订|协议|达成|携手|交流|共同|联合")
ITEM_SPLIT = re.compile(r"、|以及|,|，|/")
ITEM_AND = re.compile(r"和|及|与")
HEAD_OF_LIST = re.compile(r"^以(.+?)为(?:主|重点|核心|主导|龙头|基础)的(.+)$")
COLLECTIVE_TAIL = re.compile(r"[一二三四五六七八九十两几多\d]+大[^、]*$")
LIST_HEAD_WORDS = ("全产业链", "产业集群", "产业链", "产业", "行业", "链条")
ADVERBS = tu.words("将 要 还 也 已 正 应 可 并 主要 积极 继续 重点 大力 进一步 全力 着力 努力 力争")
CHAIN_DASH = r"(?:——|—|–|―|→|⟶|－)"
CHAIN_ITEM = r"[^\s、,，。;；:：—–―→⟶\-－()（）“”\"《》【】]+"
CHAIN_RE = re.compile(rf"{CHAIN_ITEM}(?:\s*{CHAIN_DASH}\s*{CHAIN_ITEM})+")
CHAIN_SPLIT = re.compile(rf"\s*{CHAIN_DASH}\s*")
DATE_ITEM = re.compile(r"^\d+(?:\.\d+)?[年月日号%]?$")


# ---------------------------------------------------------------------------------------------
# Candidates
# ---------------------------------------------------------------------------------------------


@dataclass
class Candidate:
    """An entity or a relation found in a text, waiting to be staged and reviewed.

    Entities carry ``name`` and the character offsets ``start``/``end`` of the mention (so that
    ``text[start:end] == name``); relations carry the ``source`` and ``target`` names.
    """

    kind: str  # "entity" | "relation"
    type: str  # a node label or a relationship type of graph.model
    evidence: str
    confidence: float
    name: str = ""
    start: int = -1
    end: int = -1
    source: str = ""
    target: str = ""

    def to_dict(self) -> dict[str, Any]:
        if self.kind == "entity":
            return {
                "kind": "entity",
                "type": self.type,
                "name": self.name,
                "evidence": self.evidence,
                "start": self.start,
                "end": self.end,
                "confidence": round(self.confidence, 3),
            }
        return {
            "kind": "relation",
            "type": self.type,
            "source": self.source,
            "target": self.target,
            "evidence": self.evidence,
            "confidence": round(self.confidence, 3),
        }

    def to_json(self) -> str:
        """One JSON Lines record (UTF-8 text, not ASCII-escaped)."""
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Candidate:
        kind = str(data.get("kind", ""))
        if kind not in ("entity", "relation"):
            raise InvalidElementError(f"candidate kind must be 'entity' or 'relation', not {kind!r}")
        return cls(
            kind=kind,
            type=str(data["type"]),
            evidence=str(data.get("evidence", "")),
            confidence=float(data.get("confidence", 0.5)),
            name=str(data.get("name", "")),
            start=int(data.get("start", -1)),
            end=int(data.get("end", -1)),
            source=str(data.get("source", "")),
            target=str(data.get("target", "")),
        )


@dataclass
class _Tok:
    text: str
    tag: str
    start: int
    end: int


@dataclass
class _Mention:
    label: str
    start: int
    end: int
    confidence: float
    origin: str  # known / suffix / role / region / task / chain / target
    name: str = ""

    def contains(self, other: _Mention) -> bool:
        return (
            self.start <= other.start and other.end <= self.end and (self.start, self.end) != (other.start, other.end)
        )


@dataclass
class _Rel:
    type: str
    source: _Mention
    target: _Mention
    evidence: str
    confidence: float


@dataclass
class _Heading:
    title: _Mention | None
    evidence: str
    used: bool = False


# ---------------------------------------------------------------------------------------------
# Tokenisation: jieba words with their part-of-speech tags, as a spaCy Doc
# ---------------------------------------------------------------------------------------------

_DEFAULT_POS: Any = None


def _default_pos() -> Any:
    """jieba's POS tokenizer over its default dictionary (shared by extractors without names)."""
    global _DEFAULT_POS
    if _DEFAULT_POS is None:
        _DEFAULT_POS = jieba.posseg.POSTokenizer(jieba.Tokenizer())
    return _DEFAULT_POS


class JiebaPosTokenizer:
    """spaCy tokenizer: jieba segmentation with POS tags in ``token.tag_``.

    Uses its own jieba dictionary, so names added for one extractor do not change how another
    one (or the global ``jieba``) segments text.
    """

    def __init__(self, vocab: Any, pos: Any) -> None:
        self.vocab = vocab
        self.pos = pos

    def __call__(self, text: str) -> Doc:
        words: list[str] = []
        tags: list[str] = []
        for pair in self.pos.cut(text):
            word, tag = pair.word, pair.flag
            if word:
                words.append(word)
                tags.append(tag or "x")
        if "".join(words) != text:  # never expected; keep offsets right whatever happens
            words = list(text)
            tags = ["x"] * len(words)
        return Doc(self.vocab, words=words, spaces=[False] * len(words), tags=tags)

    def freq(self, word: str) -> int:
        return int(self.pos.tokenizer.FREQ.get(word, 0) or 0)

    def tags_of(self, text: str) -> list[tuple[str, str]]:
        return [(p.word, p.flag) for p in self.pos.cut(text)]


def blank_zh() -> Any:
    """The blank Chinese pipeline with jieba segmentation that extraction starts from."""
    return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})


# ---------------------------------------------------------------------------------------------
# Extractor
# ---------------------------------------------------------------------------------------------

KnownEntity = tuple[str, str, list[str]]


class Extractor:
    """Finds entity and relation candidates in Chinese text.

    ``known``: (label, name, aliases) of entities the graph already holds (``known_from_store``);
    their names and aliases become EntityRuler patterns and jieba words. ``nlp``: a spaCy
    pipeline to use instead of a fresh ``blank_zh()`` (its tokenizer is replaced by a jieba POS
    tokenizer that knows the names, and an entity ruler is added).
    """

    RULER_NAME = "chainkg_known"

    def __init__(self, known: Iterable[KnownEntity] = (), nlp: Any = None) -> None:
        self.known: dict[str, tuple[str, str]] = {}  # surface → (label, canonical name)
        for label, name, aliases in known:
            if label in UNMATCHED_KNOWN_LABELS or label not in NODE_LABELS:
                continue
            for surface in [name, *(aliases or [])]:
                surface = (surface or "").strip()
                if tu.cjk_count(surface) + sum(c.isalpha() for c in surface) < 2:
                    continue
                # the first label seen wins; organisation labels beat products for shared names
                prev = self.known.get(surface)
                if prev is None or (prev[0] not in ACTOR_LABELS and label in ACTOR_LABELS):
                    self.known[surface] = (label, name)
        if self.known:
            pos = jieba.posseg.POSTokenizer(jieba.Tokenizer())
            for surface, (label, _) in self.known.items():
                pos.add_word(surface, None, "nt" if label in ACTOR_LABELS else "nz")
        else:
            pos = _default_pos()
        self.nlp = nlp if nlp is not None else blank_zh()
        self.nlp.max_length = max(int(self.nlp.max_length), 20_000_000)  # no parser: long texts are fine
        self.tokenizer = JiebaPosTokenizer(self.nlp.vocab, pos)
        self.nlp.tokenizer = self.tokenizer
        if self.RULER_NAME in self.nlp.pipe_names:
            self.nlp.remove_pipe(self.RULER_NAME)
        if self.known:
            ruler = self.nlp.add_pipe(
                "entity_ruler", name=self.RULER_NAME, config={"phrase_matcher_attr": "ORTH", "overwrite_ents": True}
            )
            ruler.add_patterns(
                [{"label": label, "pattern": surface, "id": name} for surface, (label, name) in self.known.items()]
            )

    # --- public --------------------------------------------------------------------------------

    def extract(self, text: str) -> list[Candidate]:
        """Entity candidates (in text order) followed by relation candidates."""
        if not text or not text.strip():
            return []
        doc = self.nlp(text)
        toks = self._retokenize([_Tok(t.text, t.tag_ or "x", t.idx, t.idx + len(t.text)) for t in doc])
        mentions: list[_Mention] = []
        mentions += self._known_mentions(doc, text)
        mentions += self._suffix_mentions(toks, text)
        mentions += self._region_mentions(toks, text)
        mentions = self._resolve(mentions, text)
        rels: list[_Rel] = []
        structural, rels_s = self._tasks_and_roles(text, mentions)
        rels += rels_s
        chain_ments, rels_c = self._chains(text, toks, mentions)
        rels += rels_c
        target_ments, rels_r = self._sentence_relations(text, mentions)
        rels += rels_r
        # a role list gives the exact extent of each unit name: drop rule matches cut inside it
        roles = [m for m in structural if m.origin == "role"]
        mentions = [
            m
            for m in mentions
            if not (m.origin == "suffix" and any(r.end == m.end and r.start < m.start for r in roles))
        ]
        all_mentions = self._harmonise(mentions + structural + chain_ments + target_ments, text)
        return self._candidates(all_mentions, rels, text)

    def _retokenize(self, toks: list[_Tok]) -> list[_Tok]:
        """Undo two jieba habits: a title glued to a unit (局局长) and a preposition glued to a
        name it did not know (以兰 | 白试验区)."""
        out: list[_Tok] = []
        for t in toks:
            title = next((w for w in tu.TITLE_WORDS if t.text.endswith(w) and len(t.text) > len(w)), None)
            if title is not None and tu.org_suffix(t.text[: -len(title)]) is not None:
                cut = t.end - len(title)
                out += [_Tok(t.text[: -len(title)], t.tag, t.start, cut), _Tok(title, "n", cut, t.end)]
                continue
            if (
                len(t.text) >= 2
                and t.text[0] in tu.GLUED_BOUNDARY_CHARS
                and tu.is_cjk(t.text[1])
                and self.tokenizer.freq(t.text) == 0
            ):
                out += [_Tok(t.text[0], "p", t.start, t.start + 1), _Tok(t.text[1:], t.tag, t.start + 1, t.end)]
                continue
            out.append(t)
        return out

    # --- mentions ------------------------------------------------------------------------------

    def _known_mentions(self, doc: Doc, text: str) -> list[_Mention]:
        out: list[_Mention] = []
        for ent in doc.ents:
            if ent.label_ not in NODE_LABELS:
                continue
            out.append(_Mention(ent.label_, ent.start_char, ent.end_char, CONF_KNOWN, "known"))
        return out

    def _nested_known(self, m: _Mention, text: str) -> list[_Mention]:
        """Known organisation names inside a longer mention (兰州大学 in 兰州大学白银…研究院)."""
        out: list[_Mention] = []
        s = text[m.start : m.end]
        n = len(s)
        for i in range(n):
            for j in range(i + 2, n + 1):
                if (i, j) == (0, n):
                    continue
                hit = self.known.get(s[i:j])
                if hit and hit[0] in ORG_LABELS and (j == n or i == 0):
                    out.append(_Mention(hit[0], m.start + i, m.start + j, CONF_KNOWN, "known"))
        return out

    def _distinctive(self, word: str, tag: str) -> bool:
        """Whether a word can make a suffix-headed phrase a name (a place, a proper or rare word)."""
        w = word.strip()
        if not w or w in tu.GENERIC_WORDS or w in tu.NOT_PROPER or w in tu.BOUNDARY_WORDS:
            return False
        hit = self.known.get(w)
        if hit is not None and hit[0] in ACTOR_LABELS:
            return True
        letters = tu.cjk_count(w) + sum(1 for c in w if c.isascii() and c.isalpha())
        if letters < 2:
            return False
        if w in tu.PROVINCES or (len(w) >= 3 and w[:-1] in tu.PROVINCES):
            return True
        if any(c.isascii() and c.isalpha() for c in w):
            return True
        if tu.covered_by(w, GENERIC_PIECES):  # a compound of descriptive words (省级重点, 建设工程)
            return False
        freq = self.tokenizer.freq(w)
        descriptive = len(w) >= 3 and w.endswith(tu.DESCRIPTIVE_ENDINGS)
        if freq == 0:  # unknown to the dictionary: a name jieba's HMM put together
            return not descriptive
        if tag in tu.PROPER_TAGS:
            return True
        if descriptive or tag in tu.BOUNDARY_TAGS or tag.startswith(("v", "a", "d", "l", "i")):
            return False
        return freq < tu.COMMON_FREQ

    def _name_part(self, tok: _Tok, nxt: _Tok | None = None) -> bool:
        t = tok.text
        if tu.is_punct(t) or t in tu.BOUNDARY_WORDS or not tu.has_letter(t):
            return False
        if tok.tag == "m":  # 六个 / 2个 / 十大 end a name; 三一(重工) does not
            return tu.cjk_count(t) == len(t) and t[-1] not in tu.MEASURE_CHARS
        if tok.tag in tu.BOUNDARY_TAGS:
            return False
        if t == "建设":
            return nxt is not None and nxt.text in tu.JIANSHE_HEADS
        # a verb ends a name, unless it is a word names use (应用, 促进 …) or a single character
        # jieba split off a name it did not know (天合 → 天 / 合)
        return not (tok.tag == "v" and len(t) >= 2 and t not in tu.NAME_VERBS and self.tokenizer.freq(t) > 0)

    def _suffix_mentions(self, toks: Sequence[_Tok], text: str) -> list[_Mention]:
        out: list[_Mention] = []
        book_depth = _book_title_depths(text)
        for i, tok in enumerate(toks):
            hit = tu.org_suffix(tok.text)
            if hit is None:
                continue
            suffix, label = hit
            j = self._extend_left(toks, i, label)
            # strip leading verbs, adverbs, numerals ... (a name does not start with them)
            while (
                j < i
                and (toks[j].tag in tu.LEADING_STRIP_TAGS or toks[j].tag == "vn")
                and not self._distinctive(toks[j].text, toks[j].tag)
            ):
                j += 1
            start, end = toks[j].start, tok.end
            name = text[start:end]
            if len(name) <= len(suffix) or len(name) > MAX_NAME_CHARS:
                continue
            if book_depth[start] > 0:  # inside 《…》: a document title, not a mention
                continue
            if not self._is_name(toks[j:i], tok, suffix, label, name):
                continue
            out.append(_Mention(label, start, end, CONF_SUFFIX, "suffix"))
        return out

    def _extend_left(self, toks: Sequence[_Tok], i: int, label: str) -> int:
        end = toks[i].end
        j = i
        while j > 0:
            prev = toks[j - 1]
            if end - prev.start > MAX_NAME_CHARS:
                break
            # 市委办、市政府办: a unit name starting with 市/省/县 after another unit is a new name
            if toks[j].text[:1] in "市省县区州" and tu.org_suffix(prev.text) is not None:
                break
            if self._name_part(prev, toks[j]):
                j -= 1
                continue
            # 市住房和城乡建设局, 国家发展和改革委员会: a unit name may contain one 和
            if (
                prev.text == "和"
                and label == "GovernmentUnit"
                and 2 <= j < i
                and self._name_part(toks[j - 2], prev)
                and tu.org_suffix(toks[j - 2].text) is None
            ):
                j -= 2
                continue
            # 中国北方稀土(集团)高科技股份有限公司, 蔚来汽车科技(安徽)有限公司: a short
            # parenthesis inside a name (a word, not a number, with the name going on before it)
            if prev.text in (")", "）"):
                k = j - 2
                while k >= 0 and toks[k].text not in ("(", "（") and j - k <= 4:
                    k -= 1
                inner = "".join(t.text for t in toks[k + 1 : j - 1]) if k >= 0 else ""
                if (
                    k >= 1
                    and toks[k].text in ("(", "（")
                    and 2 <= tu.cjk_count(inner) == len(inner) <= 4
                    and not any(c in tu.CN_NUM for c in inner)
                    and self._name_part(toks[k - 1], toks[k])
                ):
                    j = k
                    continue
            break
        return j

    def _is_name(self, prefix: Sequence[_Tok], suffix_tok: _Tok, suffix: str, label: str, name: str) -> bool:
        if name in tu.GENERIC_WORDS or name in tu.NOT_UNIT_WORDS:
            return False
        if name in tu.CENTRAL_UNITS:
            return True
        body = name[: -len(suffix)]
        if (
            label in ("GovernmentUnit", "Institution")
            and body.startswith(tu.ADMIN_PREFIXES)
            and not body.startswith(tu.ADMIN_ADJECTIVES)
        ):
            return True
        for t in prefix:
            if self._distinctive(t.text, t.tag):
                return True
        inner = suffix_tok.text[: -len(suffix)]
        if inner and prefix:
            inner_words = [(inner, "x")] if tu.cjk_count(inner) < 2 else self.tokenizer.tags_of(inner)
        else:
            inner_words = self.tokenizer.tags_of(inner) if inner else []
        return any(self._distinctive(w, tag) for w, tag in inner_words)

    def _region_mentions(self, toks: Sequence[_Tok], text: str) -> list[_Mention]:
        out: list[_Mention] = []
        n = len(toks)
        for i, tok in enumerate(toks):
            t = tok.text
            # one token: 甘肃省 / 白银市 / 会宁县
            for suffix in tu.REGION_SUFFIXES:
                if t.endswith(suffix) and len(t) > len(suffix):
                    body = t[: -len(suffix)]
                    if tu.org_suffix(body) is None and self._region_body(body, tok.tag):
                        out.append(_Mention("Region", tok.start, tok.end, CONF_SUFFIX, "region"))
                    break
            else:
                # two tokens: 泸川 + 市
                if (
                    i + 1 < n
                    and toks[i + 1].text in tu.REGION_SUFFIXES
                    and tu.org_suffix(t) is None
                    and self._region_body(t, tok.tag)
                ):
                    out.append(_Mention("Region", tok.start, toks[i + 1].end, CONF_SUFFIX, "region"))
            # districts: 海淀区 (a place-name token ending with 区 that is not a park)
            if (
                t.endswith("区")
                and len(t) >= 3
                and tok.tag == "ns"
                and tu.org_suffix(t) is None
                and not t.endswith(tu.NOT_DISTRICT)
                and self._region_body(t[:-1], "ns")
            ):
                out.append(_Mention("Region", tok.start, tok.end, CONF_SUFFIX, "region"))
        return out

    def _region_body(self, body: str, tag: str) -> bool:
        if tu.cjk_count(body) < 2 or body.startswith(("各", "全", "本", "我", "该", "每", "相关", "有关", "其")):
            return False
        if body in tu.PROVINCES:
            return True
        if body in tu.GENERIC_WORDS or body in tu.NOT_PROPER or body in tu.BOUNDARY_WORDS:
            return False
        if self.tokenizer.freq(body) == 0:
            return not (len(body) >= 3 and body.endswith(tu.DESCRIPTIVE_ENDINGS))
        hit = self.known.get(body)
        return tag in ("ns", "nr", "nz", "j") or (hit is not None and hit[0] == "Region")

    def _resolve(self, mentions: list[_Mention], text: str) -> list[_Mention]:
        """Drop duplicates (known beats rules), regions inside organisation names; add nested known."""
        extra: list[_Mention] = []
        for m in mentions:
            if m.label in ORG_LABELS:
                extra += self._nested_known(m, text)
        best: dict[tuple[int, int], _Mention] = {}
        rank = {"known": 3, "suffix": 1, "region": 1}
        for m in mentions + extra:
            key = (m.start, m.end)
            cur = best.get(key)
            if cur is None or rank.get(m.origin, 0) > rank.get(cur.origin, 0):
                best[key] = m
        orgs = [m for m in best.values() if m.label in ORG_LABELS]
        out = []
        for m in best.values():
            if m.origin != "known" and m.label == "Region" and any(o.contains(m) for o in orgs):
                continue
            # 青岚重工集团 inside 青岚重工集团有限公司 is the same company (not so for a branch:
            # 国家开发银行 inside 国家开发银行四川省分行 is its parent)
            if (
                m.origin != "known"
                and m.label == "Enterprise"
                and any(
                    o.label == "Enterprise"
                    and o.start == m.start
                    and o.end > m.end
                    and not text[o.start : o.end].endswith(tu.BRANCH_SUFFIXES)
                    for o in orgs
                )
            ):
                continue
            out.append(m)
        return sorted(out, key=lambda m: (m.start, -m.end))

    # --- document structure: tasks and their units -------------------------------------------

    def _tasks_and_roles(self, text: str, mentions: Sequence[_Mention]) -> tuple[list[_Mention], list[_Rel]]:
        out_m: list[_Mention] = []
        rels: list[_Rel] = []
        heading: _Heading | None = None
        for line in tu.lines(text):
            lt = text[line.start : line.end]
            h = _heading_title(lt)
            if h is not None:
                title_span, evidence = h
                if title_span is None:
                    heading = _Heading(None, evidence)
                else:
                    a, b = title_span
                    title = _Mention("Task", line.start + a, line.start + b, CONF_TASK, "task")
                    heading = _Heading(title, evidence)
            keys = list(tu.ROLE_RE.finditer(lt))
            for k, m in enumerate(keys):
                rel_type = tu.ROLE_KEYS[m.group(1)]
                value_end = keys[k + 1].start() if k + 1 < len(keys) else len(lt)
                value_end = _role_value_end(lt, m.end(), value_end)
                evidence = lt.strip()
                for a, b in _role_items(lt, m.end(), value_end):
                    name = lt[a:b]
                    start, end = line.start + a, line.start + b
                    item = self._role_item_mention(name, start, end, mentions)
                    out_m.append(item)
                    if heading is not None and heading.title is not None:
                        heading.used = True
                        rels.append(_Rel(rel_type, item, heading.title, evidence, CONF_REL_ROLE))
            if heading is not None and heading.used and heading.title is not None and heading.title not in out_m:
                out_m.append(heading.title)
        return out_m, rels

    def _role_item_mention(self, name: str, start: int, end: int, mentions: Sequence[_Mention]) -> _Mention:
        for m in mentions:
            if (m.start, m.end) == (start, end) and m.label in ORG_LABELS:
                return m
        hit = self.known.get(name)
        if hit is not None:
            return _Mention(hit[0], start, end, CONF_KNOWN, "known")
        suffix = None
        for s, label in tu.ORG_SUFFIXES:
            if name.endswith(s):
                suffix = label
                break
        return _Mention(suffix or "GovernmentUnit", start, end, CONF_ROLE_ITEM, "role")

    # --- chains: A—B—C --------------------------------------------------------------------------

    def _chains(
        self, text: str, toks: Sequence[_Tok], mentions: Sequence[_Mention]
    ) -> tuple[list[_Mention], list[_Rel]]:
        out_m: list[_Mention] = []
        rels: list[_Rel] = []
        actor_spans = [(m.start, m.end) for m in mentions if m.label in ACTOR_LABELS]
        for sent in tu.sentences(text):
            st = text[sent.start : sent.end]
            for cm in CHAIN_RE.finditer(st):
                items: list[tuple[int, int]] = []
                pos = cm.start()
                for part in CHAIN_SPLIT.split(cm.group(0)):
                    a = st.index(part, pos)
                    items.append((a, a + len(part)))
                    pos = a + len(part)
                if len(items) < 2:
                    continue
                # 2024—2026年: a numeric range, not a chain
                if any(
                    st[b - 1 : b].isdigit() and st[a : a + 1].isdigit() for (_, b), (a, _) in itertools.pairwise(items)
                ):
                    continue
                # first item: drop the verb in front (构建陶土 → 陶土)
                a0, b0 = items[0]
                a0 = _strip_leading_words(toks, sent.start + a0, sent.start + b0) - sent.start
                items[0] = (a0, b0)
                # last item: cut at 的 / 等 / 为 and drop 产业链 / 全产业链 ...
                a1, b1 = items[-1]
                items[-1] = (a1, _cut_list_tail(st, a1, b1, strip_head=True))
                names = [st[a:b] for a, b in items]
                if any(not _valid_item(n) for n in names):
                    continue
                if len(items) == 2 and "链" not in _clause_text(st, cm.start(), cm.end()):
                    continue
                abs_items = [(sent.start + a, sent.start + b) for a, b in items]
                if any(_overlaps(span, actor_spans) for span in abs_items):
                    continue
                ms = [_Mention("Product", a, b, CONF_CHAIN_ITEM, "chain") for a, b in abs_items]
                out_m += ms
                for x, y in itertools.pairwise(ms):
                    rels.append(_Rel("UPSTREAM_OF", x, y, st, CONF_REL_CHAIN))
        return out_m, rels

    # --- sentence rules: anchors, development, cooperation --------------------------------------

    def _sentence_relations(self, text: str, mentions: Sequence[_Mention]) -> tuple[list[_Mention], list[_Rel]]:
        actors = [m for m in mentions if m.label in ACTOR_LABELS]
        top = [m for m in actors if not any(o.contains(m) for o in actors)]
        doc_subject = _document_subject(text, top)
        out_m: list[_Mention] = []
        rels: list[_Rel] = []
        for sent in tu.sentences(text):
            st = text[sent.start : sent.end]
            in_sent = [m for m in top if sent.start <= m.start and m.end <= sent.end]
            clauses = _clauses(st)
            ms, rs = self._develop_rules(st, sent.start, in_sent, clauses)
            out_m += ms
            rels += rs
            rels += self._coop_rules(st, sent.start, in_sent, clauses, doc_subject)
        return out_m, rels

    def _develop_rules(
        self, st: str, base: int, in_sent: Sequence[_Mention], clauses: Sequence[tuple[int, int]]
    ) -> tuple[list[_Mention], list[_Rel]]:
        out_m: list[_Mention] = []
        rels: list[_Rel] = []
        for trig in DEV_TRIGGER.finditer(st):
            t0, t1 = trig.start(), trig.end()
            if _inside_any(base + t0, base + t1, in_sent):
                continue
            c0, c1 = _clause_of(clauses, t0)
            if trig.group(0) == "发展" and not _bare_verb_ok(st, c0, t0, in_sent, base):
                continue
            items = _object_items(st, t1, c1)
            if not items:
                continue
            # the subject: a park or region opening a clause of this sentence before the trigger
            subject = None
            for m in in_sent:
                if m.end > base + t0:
                    break
                if m.label in ("Park", "Region") and _opens_clause(st, clauses, m.start - base):
                    subject = m
            # 依托 X, Y, Z: the nearest 依托 before the trigger, in this sentence
            anchors: list[_Mention] = []
            dep = None
            for am in ANCHOR_WORD.finditer(st, 0, t0):
                dep = am
            if dep is not None:
                _, d1 = _clause_of(clauses, dep.start())
                anchors = [
                    m
                    for m in in_sent
                    if base + dep.end() <= m.start
                    and m.end <= base + min(d1, t0)
                    and m.label in ("Enterprise", "Institution", "Park")
                ]
            if subject is None and not anchors:
                continue
            targets = []
            for a, b in items:
                name = st[a:b]
                targets.append(_Mention(_item_label(name), base + a, base + b, CONF_TARGET_ITEM, "target"))
            out_m += targets
            for tgt in targets:
                if subject is not None and subject not in anchors:
                    rels.append(_Rel("DEVELOPS", subject, tgt, st, CONF_REL_ANCHOR))
                for x in anchors:
                    rels.append(_Rel("ANCHORS", x, tgt, st, CONF_REL_ANCHOR))
        return out_m, rels

    def _coop_rules(
        self,
        st: str,
        base: int,
        in_sent: Sequence[_Mention],
        clauses: Sequence[tuple[int, int]],
        doc_subject: _Mention | None,
    ) -> list[_Rel]:
        rels: list[_Rel] = []
        consumed: set[int] = set()
        for cm in COOP_CONNECTOR.finditer(st):
            p0, p1 = cm.start(), cm.end()
            if p0 in consumed or _inside_any(base + p0, base + p1, in_sent):
                continue
            _, c1 = _clause_of(clauses, p0)
            # B-list: actors right after the connector, separated only by 、/和/及/与
            partners: list[_Mention] = []
            pos = p1
            for m in in_sent:
                if m.start - base < pos:
                    continue
                gap = st[pos : m.start - base]
                if m.start - base >= c1 or (gap and not _is_list_gap(gap, first=not partners)):
                    break
                for sep in COOP_CONNECTOR.finditer(gap):
                    consumed.add(pos + sep.start())
                partners.append(m)
                pos = m.end - base
            if not partners:
                continue
            tail = st[pos:c1]
            word = COOP_WORD.search(tail)
            if word is None:
                continue
            # A: an actor ending right before the connector (allowing 将/要…), else the nearest
            # actor earlier in the sentence, else the document's subject
            explicit = True
            left = None
            for m in in_sent:
                if m.end - base <= p0:
                    gap = st[m.end - base : p0].strip()
                    if gap == "" or gap in ADVERBS:
                        left = m
            if left is None:
                explicit = False
                earlier = [m for m in in_sent if m.end - base <= p0]
                left = earlier[-1] if earlier else doc_subject
            if left is None:
                continue
            conf = CONF_REL_COOP if explicit else CONF_REL_COOP_IMPLICIT
            for b in partners:
                if _same(left, b):
                    continue
                rels.append(_Rel("COOPERATES_WITH", left, b, st, conf))
        # A 对接 B
        for dm in re.finditer("对接", st):
            left = next((m for m in in_sent if 0 <= dm.start() - (m.end - base) <= 1), None)
            right = next((m for m in in_sent if 0 <= (m.start - base) - dm.end() <= 1), None)
            if left is not None and right is not None and not _same(left, right):
                rels.append(_Rel("COOPERATES_WITH", left, right, st, CONF_REL_COOP))
        return rels

    # --- output ----------------------------------------------------------------------------------

    def _harmonise(self, mentions: list[_Mention], text: str) -> list[_Mention]:
        """One label per name in a document: known > explicit suffix/role > inferred item types."""
        for m in mentions:
            m.name = text[m.start : m.end]
        rank = {"known": 5, "suffix": 4, "region": 4, "role": 3, "task": 3, "chain": 2, "target": 1}
        best: dict[str, _Mention] = {}
        for m in mentions:
            cur = best.get(m.name)
            if cur is None or (rank.get(m.origin, 0), m.confidence) > (rank.get(cur.origin, 0), cur.confidence):
                best[m.name] = m
        for m in mentions:
            b = best[m.name]
            if m.label != b.label and "Task" not in (m.label, b.label):
                m.label = b.label
        return mentions

    def _candidates(self, mentions: list[_Mention], rels: list[_Rel], text: str) -> list[Candidate]:
        sent_of = _sentence_index(text)
        seen: set[tuple[str, int, int]] = set()
        out: list[Candidate] = []
        for m in sorted(mentions, key=lambda m: (m.start, -m.end, m.label)):
            key = (m.label, m.start, m.end)
            if key in seen or not m.name.strip():
                continue
            seen.add(key)
            out.append(
                Candidate(
                    kind="entity",
                    type=m.label,
                    name=m.name,
                    start=m.start,
                    end=m.end,
                    evidence=sent_of(m.start),
                    confidence=m.confidence,
                )
            )
        best: dict[tuple[str, str, str], Candidate] = {}
        order: list[tuple[str, str, str]] = []
        for r in rels:
            s, t = (
                r.source.name or text[r.source.start : r.source.end],
                r.target.name or text[r.target.start : r.target.end],
            )
            if s == t:
                continue
            ends = sorted((s, t)) if r.type == "COOPERATES_WITH" else [s, t]
            rkey = (r.type, ends[0], ends[1])
            cand = Candidate(
                kind="relation", type=r.type, source=s, target=t, evidence=r.evidence, confidence=r.confidence
            )
            if rkey not in best:
                order.append(rkey)
                best[rkey] = cand
            elif cand.confidence > best[rkey].confidence:
                best[rkey] = cand
        out += [best[k] for k in order]
        return out


# ---------------------------------------------------------------------------------------------
# helpers (module level, no state)
# ---------------------------------------------------------------------------------------------


def _book_title_depths(text: str) -> list[int]:
    """Nesting depth of 《…》 at each character."""
    depth = 0
    out = []
    for c in text:
        if c == "《":
            depth += 1
        out.append(depth)
        if c == "》" and depth > 0:
            depth -= 1
    out.append(depth)
    return out


def _heading_title(line: str) -> tuple[tuple[int, int] | None, str] | None:
    """For a numbered heading line: ((start, end) of its title or None, evidence); else None."""
    m = None
    for pattern in (tu.HEADING_L2, tu.HEADING_L3B, tu.HEADING_L1, tu.HEADING_L3):
        m = pattern.match(line)
        if m:
            break
    if m is None:
        return None
    rest_start = m.end()
    end_m = tu.TITLE_END.search(line, rest_start)
    end = end_m.start() if end_m else len(line)
    a, b = rest_start, end
    while a < b and line[a].isspace():
        a += 1
    while b > a and line[b - 1].isspace():
        b -= 1
    title = line[a:b]
    evidence_end = tu.SENTENCE_END.search(line, rest_start)
    evidence = line[: evidence_end.end() if evidence_end else len(line)].strip()
    if not (2 <= len(title) <= tu.MAX_TITLE_CHARS) or tu.cjk_count(title) < 2 or tu.ROLE_RE.search(title):
        return None, evidence
    return (a, b), evidence


def _role_items(line: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Spans of the unit names listed in ``line[start:end]`` (split at 、,; and spaces)."""
    pos = start
    seps = [m for m in tu.ROLE_ITEM_SPLIT.finditer(line, start, end) if _paren_depth(line, start, m.start()) == 0]
    for m in [*seps, None]:
        stop = m.start() if m is not None else end
        a, b = pos, stop
        seg = line[a:b]
        k = seg.find("等")
        if k >= 0:
            b = a + k
        while a < b and (line[a].isspace() or line[a] in "“”\"'"):
            a += 1
        while b > a and (line[b - 1].isspace() or line[b - 1] in "。.“”\"'"):
            b -= 1
        item = line[a:b]
        if 2 <= len(item) <= 40 and tu.cjk_count(item) >= 2 and item not in tu.ROLE_ITEM_VAGUE:
            yield a, b
        if m is None:
            break
        pos = m.end()


def _role_value_end(line: str, start: int, end: int) -> int:
    """Where a role value stops: 。 or a line end, or the ) closing a parenthesis opened before
    the role key (``(牵头单位:市发改委)``); parentheses inside a name (各县（市、区）) do not count."""
    depth = 0
    for i in range(start, end):
        c = line[i]
        if c in "(（":
            depth += 1
        elif c in ")）":
            if depth == 0:
                return i
            depth -= 1
        elif c in "。\n":
            return i
    return end


def _paren_depth(s: str, start: int, end: int) -> int:
    """How many parentheses opened in ``s[start:end]`` are still open at ``end``."""
    depth = 0
    for c in s[start:end]:
        if c in "(（":
            depth += 1
        elif c in ")）" and depth > 0:
            depth -= 1
    return depth


def _strip_leading_words(toks: Sequence[_Tok], start: int, end: int) -> int:
    """Move ``start`` past leading tokens that are verbs/function words (构建 / 打造 / 形成 …)."""
    pos = start
    for t in toks:
        if t.end <= pos:
            continue
        if t.start >= end:
            break
        if t.start < pos:  # token straddles the start: keep
            break
        if t.end < end and (t.text in tu.BOUNDARY_WORDS or t.tag in ("v", "d", "p", "c", "ad", "r")):
            pos = t.end
            continue
        break
    return pos


def _cut_list_tail(st: str, a: int, b: int, strip_head: bool) -> int:
    """End of the last list item: before 等 / 的 / 为, without a collective head noun."""
    seg = st[a:b]
    for stop in ("等", "的", "为"):
        k = seg.find(stop, 1)
        if k >= 1:
            seg = seg[:k]
    seg = COLLECTIVE_TAIL.sub("", seg) if COLLECTIVE_TAIL.search(seg[1:] or "") else seg
    if strip_head:
        for head in LIST_HEAD_WORDS:
            if seg.endswith(head) and len(seg) > len(head) + 1:
                seg = seg[: -len(head)]
                break
    return a + len(seg)


def _valid_item(name: str) -> bool:
    s = name.strip()
    return (
        1 <= len(s) <= MAX_ITEM_CHARS
        and tu.has_letter(s)
        and not DATE_ITEM.match(s)
        and s not in tu.BOUNDARY_WORDS
        and not tu.is_punct(s)
    )


def _item_label(name: str) -> str:
    if name.endswith(("产业链", "链")):
        return "Chain"
    if name.endswith(("产业", "行业", "业")):
        return "Industry"
    return "Product"


def _object_items(st: str, start: int, end: int) -> list[tuple[int, int]]:
    """The list after a development verb: ``A、B和C等产业`` → spans of A, B, C."""
    seg = st[start:end]
    m = HEAD_OF_LIST.match(seg)
    if m:
        start = start + m.start(2)
        seg = st[start:end]
    if not seg.strip():
        return []
    parts: list[tuple[int, int]] = []
    pos = start
    for sm in [*ITEM_SPLIT.finditer(st, start, end), None]:
        stop = sm.start() if sm is not None else end
        parts.append((pos, stop))
        if sm is None:
            break
        pos = sm.end()
    # the last part carries the list's tail: 等产业 / 四大…产业 / 产业链
    a, b = parts[-1]
    parts[-1] = (a, _cut_list_tail(st, a, b, strip_head=len(parts) > 1 or _has_and(st[a:b])))
    items: list[tuple[int, int]] = []
    for a, b in parts:
        for x, y in _split_and(st, a, b):
            while x < y and st[x] in "“”\"'‘’《》 ":
                x += 1
            while y > x and st[y - 1] in "“”\"'‘’《》 ":
                y -= 1
            if _valid_item(st[x:y]) and tu.cjk_count(st[x:y]) + sum(c.isalpha() for c in st[x:y]) >= 2:
                items.append((x, y))
    return items[:12]


def _has_and(s: str) -> bool:
    return bool(ITEM_AND.search(s))


def _split_and(st: str, a: int, b: int) -> list[tuple[int, int]]:
    """Split ``A和B`` / ``A及B`` when both sides are at least two characters."""
    seg = st[a:b]
    for m in ITEM_AND.finditer(seg):
        left, right = seg[: m.start()], seg[m.end() :]
        if tu.cjk_count(left) >= 2 and tu.cjk_count(right) >= 2 and not right.startswith("其"):
            return [(a, a + m.start()), *_split_and(st, a + m.end(), b)]
    return [(a, b)]


def _clause_text(st: str, a: int, b: int) -> str:
    """The text of the clause(s) around ``st[a:b]``."""
    left = max((m.end() for m in tu.CLAUSE_END.finditer(st, 0, a)), default=0)
    right = tu.CLAUSE_END.search(st, b)
    return st[left : right.start() if right else len(st)]


def _clauses(st: str) -> list[tuple[int, int]]:
    out = []
    pos = 0
    for m in tu.CLAUSE_END.finditer(st):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(st)))
    return out


def _clause_of(clauses: Sequence[tuple[int, int]], i: int) -> tuple[int, int]:
    for a, b in clauses:
        if a <= i <= b:
            return a, b
    return clauses[-1]


def _opens_clause(st: str, clauses: Sequence[tuple[int, int]], i: int) -> bool:
    a, _ = _clause_of(clauses, i)
    return st[a:i].strip(" 　—–-·•*") == ""


def _bare_verb_ok(st: str, c0: int, t0: int, in_sent: Sequence[_Mention], base: int) -> bool:
    """A bare 发展 starts its clause (after a subject and adverbs at most)."""
    before = st[c0:t0]
    for m in in_sent:
        if c0 <= m.start - base and m.end - base <= t0:
            before = before.replace(st[m.start - base : m.end - base], "")
    for adv in sorted(ADVERBS, key=len, reverse=True):
        before = before.replace(adv, "")
    return before.strip(" 　—–-") == ""


def _inside_any(a: int, b: int, ms: Sequence[_Mention]) -> bool:
    return any(m.start <= a and b <= m.end for m in ms)


def _overlaps(span: tuple[int, int], spans: Sequence[tuple[int, int]]) -> bool:
    return any(span[0] < e and s < span[1] for s, e in spans)


def _is_list_gap(gap: str, first: bool) -> bool:
    g = gap.strip()
    if first:
        return g == ""
    return g in ("、", "和", "及", "以及", "与", ",", "，") or g == ""


def _same(a: _Mention, b: _Mention) -> bool:
    return (a.start, a.end) == (b.start, b.end)


def _document_subject(text: str, top: Sequence[_Mention]) -> _Mention | None:
    """The actor a document is about: the first actor named in its first line (its title)."""
    for line in tu.lines(text):
        if not text[line.start : line.end].strip():
            continue
        if line.end - line.start > 60:
            return None
        in_line = [m for m in top if line.start <= m.start and m.end <= line.end]
        return min(in_line, key=lambda m: (m.start, -m.end)) if in_line else None
    return None


def _sentence_index(text: str) -> Any:
    """A function from a character offset to the text of its sentence."""
    spans = list(tu.sentences(text))
    starts = [s.start for s in spans]

    def find(i: int) -> str:
        k = bisect.bisect_right(starts, i) - 1
        if k >= 0 and spans[k].start <= i < spans[k].end:
            return text[spans[k].start : spans[k].end]
        return ""

    return find


# ---------------------------------------------------------------------------------------------
# The graph side: known names, staging
# ---------------------------------------------------------------------------------------------

NAMES_PAGE = (
    f"MATCH (n:{ENTITY_LABEL}) RETURN n.id AS id, labels(n) AS labels, n.name AS name, n.aliases AS aliases, "
    "n.source AS source ORDER BY id SKIP $skip LIMIT $limit"
)


def _name_rows(store: GraphStore, page: int = 10000) -> Iterator[dict[str, Any]]:
    skip = 0
    while True:
        rows = store.read(NAMES_PAGE, {"skip": skip, "limit": page})
        yield from rows
        if len(rows) < page:
            return
        skip += page


def known_from_store(store: GraphStore) -> list[KnownEntity]:
    """(label, name, aliases) of every node in the store, for ``Extractor(known=...)``."""
    out: list[KnownEntity] = []
    for r in _name_rows(store):
        if not r.get("name"):
            continue
        out.append((model_label(r["labels"]), str(r["name"]), [str(a) for a in (r.get("aliases") or [])]))
    return out


def extracted_id(label: str, name: str, scope: str = "") -> str:
    """Deterministic id of an extracted node: ``x:`` + a short hash of (scope, label, name)."""
    digest = hashlib.sha1(f"{scope}\x1f{label}\x1f{name}".encode()).hexdigest()[:16]
    return f"x:{digest}"


@dataclass
class StageResult:
    """What ``stage`` did: ids created, names matched to existing nodes, edges written/skipped."""

    source_id: str
    nodes_created: list[str] = field(default_factory=list)
    nodes_matched: dict[str, str] = field(default_factory=dict)  # candidate name → existing id
    edges_created: int = 0
    edges_existing: int = 0
    skipped: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source_id": self.source_id,
            "nodes_created": self.nodes_created,
            "nodes_matched": self.nodes_matched,
            "edges_created": self.edges_created,
            "edges_existing": self.edges_existing,
            "skipped": self.skipped,
        }


def _existing_edge_query(rel_type: str) -> str:
    rel_type = check_rel_type(rel_type)
    return (
        "UNWIND $rows AS row "
        f"MATCH (a:{ENTITY_LABEL} {{id: row.s}})-[r:{rel_type}]->(b:{ENTITY_LABEL} {{id: row.t}}) "
        "RETURN DISTINCT row.s AS s, row.t AS t"
    )


def stage(
    store: GraphStore,
    candidates: Iterable[Candidate | Mapping[str, Any]],
    source_id: str,
    source_name: str,
) -> StageResult:
    """Write candidates into the graph with status ``extracted``, ready for review.

    - a Source node ``source_id`` is created for the document if missing;
    - an entity whose name matches the name or an alias of an existing node is not duplicated
      (Task headings only match tasks of the same source); others become new nodes with a
      deterministic id (``extracted_id``);
    - a relation becomes an edge (key ``""``) unless an edge of that type already links the two
      nodes (either way round for COOPERATES_WITH), or the model does not allow it between
      their labels (reported in ``skipped``).

    Staging the same candidates twice writes nothing the second time.
    """
    if not ID_PATTERN.match(source_id):
        raise InvalidElementError(f"source id {source_id!r} must match {ID_PATTERN.pattern}", id=source_id)
    cands = [c if isinstance(c, Candidate) else Candidate.from_dict(c) for c in candidates]
    result = StageResult(source_id=source_id)
    now = utc_now()
    by_name: dict[str, list[tuple[str, str, str]]] = defaultdict(list)  # name/alias → (id, label, source)
    full_names: dict[str, str] = {}
    for r in _name_rows(store):
        label = model_label(r["labels"])
        full_names[str(r["id"])] = str(r.get("name") or "")
        for n in [r.get("name"), *(r.get("aliases") or [])]:
            if n:
                by_name[str(n)].append((str(r["id"]), label, str(r.get("source") or "")))
    place = document_place(source_name)

    def local(hit: tuple[str, str, str]) -> bool:
        """A relative name (市科技局) may only mean a node of this document or of its place."""
        return hit[2] == source_id or bool(place and full_names.get(hit[0], "").startswith(place))

    nodes: list[Node] = []
    if not store.labels_of([source_id]):
        doc = Source(
            id=source_id,
            name=source_name,
            source=source_id,
            evidence=f"Document record: {source_name}",
            status=Status.CURATED,
            updated_at=now,
        )
        nodes.append(doc.to_node())

    # one label per name: the most confident candidate's
    ents: dict[str, Candidate] = {}
    counts: Counter[tuple[str, str]] = Counter()
    for c in cands:
        if c.kind != "entity":
            continue
        if c.type not in NODE_LABELS or c.type == "Source" or not c.name.strip():
            result.skipped.append(f"entity {c.name!r}: type {c.type!r} cannot be staged")
            continue
        counts[(c.name, c.type)] += 1
        cur = ents.get(c.name)
        if cur is None or (c.confidence, counts[(c.name, c.type)]) > (cur.confidence, counts[(cur.name, cur.type)]):
            ents[c.name] = c
    resolved: dict[str, tuple[str, str]] = {}  # name → (id, label)
    for name, c in ents.items():
        hit = _match_existing(by_name.get(name, []), c.type, source_id, name, local)
        if hit is not None:
            resolved[name] = hit
            result.nodes_matched[name] = hit[0]
            continue
        scope = source_id if c.type == "Task" or is_relative_name(name) else ""
        node_id = extracted_id(c.type, name, scope)
        props: dict[str, Any] = {
            "name": name,
            "source": source_id,
            "evidence": c.evidence,
            "confidence": max(0.0, min(1.0, c.confidence)),
            "status": Status.EXTRACTED.value,
            "updated_at": now,
        }
        nodes.append(Node(label=c.type, id=node_id, properties=props))
        resolved[name] = (node_id, c.type)
        result.nodes_created.append(node_id)

    # relations
    wanted: dict[tuple[str, str, str], Candidate] = {}
    for c in cands:
        if c.kind != "relation":
            continue
        if c.type not in REL_TYPES:
            result.skipped.append(f"relation {c.source!r}-{c.type}->{c.target!r}: unknown type")
            continue
        ends = []
        for n in (c.source, c.target):
            hit = resolved.get(n) or _match_existing(by_name.get(n, []), "", source_id, n, local)
            ends.append(hit)
        s_hit, t_hit = ends
        if s_hit is None or t_hit is None:
            result.skipped.append(f"relation {c.source!r}-{c.type}->{c.target!r}: endpoint not found")
            continue
        if s_hit[0] == t_hit[0]:
            continue
        if not endpoint_labels_ok(Edge(type=c.type, source=s_hit[0], target=t_hit[0]), s_hit[1], t_hit[1]):
            result.skipped.append(
                f"relation {c.source!r}-{c.type}->{c.target!r}: not allowed from {s_hit[1]} to {t_hit[1]}"
            )
            continue
        key = (c.type, s_hit[0], t_hit[0])
        if c.type == "COOPERATES_WITH" and (c.type, t_hit[0], s_hit[0]) in wanted:
            continue
        if key not in wanted or c.confidence > wanted[key].confidence:
            wanted[key] = c
    existing = _existing_edges(store, list(wanted))
    edges: list[Edge] = []
    for (rel_type, s, t), c in wanted.items():
        if (rel_type, s, t) in existing or (rel_type == "COOPERATES_WITH" and (rel_type, t, s) in existing):
            result.edges_existing += 1
            continue
        props = {
            "key": "",
            "source": source_id,
            "evidence": c.evidence,
            "confidence": max(0.0, min(1.0, c.confidence)),
            "status": Status.EXTRACTED.value,
            "updated_at": now,
        }
        edges.append(Edge(type=rel_type, source=s, target=t, properties=props))
    if nodes or edges:
        store.load(nodes, edges)
    result.edges_created = len(edges)
    return result


# Names that only mean something inside their document: 市科技局 is a different bureau in every
# city, 高新区管委会 in every 高新区. They match existing nodes of the same source only.
RELATIVE_PREFIXES = ("市", "县", "区", "省", "州", "镇", "乡", "各", "本")


def is_relative_name(name: str) -> bool:
    return name.startswith(RELATIVE_PREFIXES) or name.startswith(("高新区", "开发区", "经开区"))


def document_place(title: str) -> str:
    """The place a document is about, from its title: 临江市新材料产业发展工作方案 → 临江市."""
    m = re.match(r"^(\w{1,8}?(?:省|自治区|市|自治州|县|区|旗))", title.strip())
    return m.group(1) if m else ""


def _match_existing(
    hits: Sequence[tuple[str, str, str]],
    label: str,
    source_id: str,
    name: str = "",
    local: Callable[[tuple[str, str, str]], bool] | None = None,
) -> tuple[str, str] | None:
    """The existing node a name refers to: same label first; tasks and relative names (市科技局)
    only within their source. Two or more equally good candidates match nothing: the name is
    staged as a new extracted node and a reviewer decides (never a silent pick)."""
    usable = [h for h in hits if h[1] not in ("Task", "Source") or (h[1] == "Task" and h[2] == source_id)]
    if is_relative_name(name):
        usable = [h for h in usable if (local(h) if local else h[2] == source_id)]
    if label == "Task":
        usable = [h for h in usable if h[1] == "Task"]
    elif label:
        usable = [h for h in usable if h[1] != "Task"]
    if not usable:
        return None
    same = sorted(h for h in usable if h[1] == label)
    candidates = same or sorted(usable)
    if len({h[0] for h in candidates}) > 1:
        return None
    return candidates[0][0], candidates[0][1]


def _existing_edges(store: GraphStore, keys: Sequence[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    by_type: dict[str, list[dict[str, str]]] = defaultdict(list)
    for rel_type, s, t in keys:
        by_type[rel_type].append({"s": s, "t": t})
        if rel_type == "COOPERATES_WITH":
            by_type[rel_type].append({"s": t, "t": s})
    found: set[tuple[str, str, str]] = set()
    for rel_type, rows in sorted(by_type.items()):
        for r in store.read(_existing_edge_query(rel_type), {"rows": rows}):
            found.add((rel_type, str(r["s"]), str(r["t"])))
    return found


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest.extract", description=__doc__.split("\n\n")[0])
    parser.add_argument("file", help="UTF-8 text file to read, or - for standard input")
    parser.add_argument("--graph", help="graph URL (default: the CHAINKG_GRAPH setting) for --known / --stage")
    parser.add_argument("--known", action="store_true", help="match the names and aliases already in the graph")
    parser.add_argument("--stage", action="store_true", help="write the candidates to the graph as 'extracted'")
    parser.add_argument("--source-id", help="Source node id of the document (with --stage)")
    parser.add_argument("--source-name", help="document title (with --stage; default: the first line)")
    args = parser.parse_args(argv)
    text = sys.stdin.read() if args.file == "-" else open(args.file, encoding="utf-8").read()  # noqa: SIM115
    store = None
    if args.known or args.stage:
        from graph.store import open_store

        store = open_store(args.graph)
    try:
        known = known_from_store(store) if (store is not None and args.known) else []
        cands = Extractor(known).extract(text)
        try:
            for c in cands:
                print(c.to_json())
            sys.stdout.flush()
        except BrokenPipeError:  # the reader stopped early (| head): not an error
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115

        if args.stage:
            assert store is not None
            if not args.source_id:
                parser.error("--stage needs --source-id")
            name = args.source_name or next((ln.strip() for ln in text.splitlines() if ln.strip()), args.source_id)
            res = stage(store, cands, args.source_id, name)
            print(json.dumps(res.to_dict(), ensure_ascii=False), file=sys.stderr)
    finally:
        if store is not None:
            store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
