"""Entity resolution: which stored node a name, alias, id or credit code in an input row means.

:class:`Resolver` preloads the id, name, aliases and credit code of every node of the labels an
import refers to (portable read queries, one page at a time) and answers in memory.

Enterprises are resolved in this order; the first step that finds anything decides:

1. 统一社会信用代码 (credit code): a code names one legal entity, so it wins over any name;
2. the enterprise's deterministic id (``ent:`` + code, else ``ent:`` + a hash of the
   normalised name): a row imported before finds its own node again;
3. exact name, then alias;
4. normalised name: province/city prefixes, legal-form suffixes, brackets and spacing removed
   (see :func:`normalise_enterprise`);
5. short name: one core is the other's short form (same first two characters, its characters
   a subsequence of the longer core, e.g. 银光 ⊂ 银光化学工业), unique among candidates.

Two or more candidates at the deciding step give an ``ambiguous`` match: the caller must not
merge. A name candidate whose credit code differs from the row's is not a candidate. Nodes
waiting in the review queue because an earlier import found them ambiguous (status
``extracted`` and evidence starting with :data:`AMBIGUOUS_PREFIX`) are never resolution
targets, so re-importing a file finds the same ambiguity again instead of merging into them.

Other labels (products, parks, regions, chains, institutions, government units) resolve by
id, exact name, alias, then a light normalisation (width, case, spacing, brackets).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from graph.model import ENTITY_LABEL, ID_PATTERN, check_label
from graph.store import GraphStore

MatchKind = Literal["exact", "alias", "normalised", "ambiguous", "new"]

AMBIGUOUS_PREFIX = "ambiguous match: "

# Labels a tabular import can refer to.
RESOLVED_LABELS = ("Enterprise", "Product", "Park", "Region", "Chain", "Institution", "GovernmentUnit")

PAGE_SIZE = 20000
CREDIT_CODE_SHAPE = re.compile(r"^[0-9A-Z]{18}$")


def _names_query(label: str) -> str:
    label = check_label(label)
    return (
        f"MATCH (n:{ENTITY_LABEL}:{label}) "
        "RETURN n.id AS id, n.name AS name, n.aliases AS aliases, n.credit_code AS credit_code, "
        "n.status AS status, n.evidence AS evidence "
        "ORDER BY id SKIP $skip LIMIT $limit"
    )


@dataclass(frozen=True)
class Match:
    """The outcome of resolving one reference.

    ``node_id`` is the matched node for exact/alias/normalised, ``None`` otherwise;
    ``candidates`` lists every node id considered a match at the deciding step (sorted).
    """

    kind: MatchKind
    node_id: str | None = None
    candidates: tuple[str, ...] = ()

    @property
    def found(self) -> bool:
        return self.node_id is not None


NEW = Match("new")

# --- normalisation ---------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


PROVINCES = tuple(
    _words(
        "北京 天津 河北 山西 内蒙古 辽宁 吉林 黑龙江 上海 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 "
        "广东 广西 海南 重庆 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆 台湾 香港 澳门"
    )
)
PROVINCE_SUFFIXES = ("省", "市", "自治区", "壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区")
PLACE_SUFFIXES = ("省", "市", "县", "区", "州", "盟", "旗", "自治区", "自治州", "自治县", "特别行政区")

# Legal-form suffixes, stripped repeatedly from the end (longest first).
# English forms are written as they look once spaces and punctuation are gone ("Co., Ltd." → "coltd").
LEGAL_SUFFIXES = tuple(
    sorted(
        _words(
            "股份有限公司 有限责任公司 有限公司 股份公司 集团公司 总公司 公司 集团 有限合伙 合伙企业 "
            "coltd colimited ltd inc corporation corp company group limited"
        ),
        key=len,
        reverse=True,
    )
)
# Bracketed words that are neither a place nor part of the firm's name: dropped.
BRACKET_NOISE = frozenset(("中国", "集团", "控股", "普通合伙", "有限合伙", "特殊普通合伙"))

# Words that say what a firm does, not which firm it is: a core made only of these is too
# generic to identify an enterprise without a matching place prefix.
GENERIC_WORDS = frozenset(
    _words(
        "有色 有色金属 金属 化工 化学 工业 稀土 新材料 材料 科技 技术 实业 能源 新能源 矿业 冶金 冶炼 发展 "
        "投资 贸易 商贸 建设 建材 建筑 机械 电力 电气 制药 医药 生物 农业 食品 物流 环保 环境 控股 产业 资源 "
        "开发 工程 信息 电子 钢铁 铝业 铜业 锌业 煤业 煤电 热电 水泥 陶瓷 纺织 包装 运输 交通 城投 国资 研究 "
        "设计 咨询 服务 管理 高新 精细化工 石化 石油 天然气 碳素 碳纤维 纤维 光电 半导体 新 中国 国际 股份 "
        "有限 责任 实验 装备 制造 加工"
    )
)

_BRACKETS = re.compile(r"[(\[{【〔《<]([^()\[\]{}【】〔〕《》<>]*)[)\]}】〕》>]")
_DROP_CHARS = re.compile(r"[\s()\[\]{}【】〔〕《》<>\"'“”‘’·.,;:、,。;:!?!?_\-]+")


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def normalise_text(text: str) -> str:
    """Light normalisation for any name: NFKC width folding, case folding, no spaces or brackets."""
    return _DROP_CHARS.sub("", _nfkc(text).casefold())


@dataclass(frozen=True)
class EnterpriseKey:
    """An enterprise name reduced to its place prefixes and its core (the firm's 字号 + trade)."""

    places: frozenset[str]
    core: str

    def canonical(self) -> str:
        return "/".join([*sorted(self.places), self.core])

    @property
    def generic(self) -> bool:
        return is_generic(self.core)


def is_generic(core: str) -> bool:
    """Whether ``core`` is made only of :data:`GENERIC_WORDS` (or is shorter than 2 characters)."""
    if len(core) < 2:
        return True
    n = len(core)
    ok = [False] * (n + 1)
    ok[0] = True
    for i in range(n):
        if not ok[i]:
            continue
        for j in range(i + 1, min(n, i + 6) + 1):
            if core[i:j] in GENERIC_WORDS:
                ok[j] = True
    return ok[n]


class Places:
    """Place names stripped from the front of enterprise names: provinces (with and without
    省/市/自治区...) and any extra region names (with and without 市/县/区...)."""

    def __init__(self, extra: Iterable[str] = ()) -> None:
        prefixes: set[str] = set()
        for p in PROVINCES:
            prefixes.add(p)
            prefixes.update(p + s for s in PROVINCE_SUFFIXES)
        for name in extra:
            name = normalise_text(name)
            if len(name) < 2 or name == "中国":
                continue
            prefixes.add(name)
            for suffix in PLACE_SUFFIXES:
                base = name.removesuffix(suffix)
                if base != name and len(base) >= 2:
                    prefixes.add(base)
        self.prefixes = frozenset(prefixes)
        self._lengths = sorted({len(p) for p in prefixes}, reverse=True)

    def prefix_of(self, text: str) -> str | None:
        """The longest place name ``text`` starts with."""
        for n in self._lengths:
            if len(text) >= n and text[:n] in self.prefixes:
                return text[:n]
        return None


DEFAULT_PLACES = Places()


def _base_place(prefix: str) -> str:
    for suffix in sorted(PLACE_SUFFIXES, key=len, reverse=True):
        base = prefix.removesuffix(suffix)
        if base != prefix and len(base) >= 2:
            return base
    return prefix


def normalise_enterprise(name: str, places: Places = DEFAULT_PLACES) -> EnterpriseKey:
    """Reduce an enterprise name to (place prefixes, core).

    Steps: NFKC and case folding; a bracketed place (``(深圳)``, ``(甘肃省)``) moves to
    ``places``, ``(中国)`` / ``(集团)`` are dropped, other brackets keep their content; spaces
    and punctuation go; legal-form suffixes are stripped repeatedly (有限责任公司, 股份有限公司,
    有限公司, 集团公司, 公司, 集团...); leading province and city names (甘肃省, 甘肃, 白银市,
    白银; a resolver adds the store's regions) move to ``places``. A step that would
    leave fewer than two characters is not taken.

    >>> normalise_enterprise("甘肃银光化学工业集团有限公司").core
    '银光化学工业'
    >>> normalise_enterprise("银光集团").core
    '银光'
    """
    text = _nfkc(name).casefold()
    found: set[str] = set()

    def bracket(m: re.Match[str]) -> str:
        inner = m.group(1).strip()
        if inner in BRACKET_NOISE:
            return ""
        prefix = places.prefix_of(inner)
        known = prefix is not None and len(inner) - len(prefix) <= 1
        if known or 2 <= len(inner) <= 3 or (len(inner) <= 6 and inner.endswith(PLACE_SUFFIXES)):
            found.add(_base_place(inner))  # 华为技术(深圳)有限公司: a place in brackets
            return ""
        return inner

    text = _BRACKETS.sub(bracket, text)
    text = _DROP_CHARS.sub("", text)
    changed = True
    while changed:
        changed = False
        for suffix in LEGAL_SUFFIXES:
            if text.endswith(suffix) and len(text) - len(suffix) >= 2:
                text = text[: -len(suffix)]
                changed = True
                break
    while (prefix := places.prefix_of(text)) is not None and len(text) - len(prefix) >= 2:
        found.add(_base_place(prefix))
        text = text[len(prefix) :]
    return EnterpriseKey(frozenset(found), text)


def _places_compatible(a: frozenset[str], b: frozenset[str]) -> bool:
    return a <= b or b <= a


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def is_short_form(short: str, long: str) -> bool:
    """``short`` abbreviates ``long``: same first two characters, a subsequence, not generic."""
    return (
        2 <= len(short) < len(long) and short[:2] == long[:2] and _is_subsequence(short, long) and not is_generic(short)
    )


def stable_hash(text: str, length: int = 12) -> str:
    """A short, stable hex digest of ``text`` (for deterministic ids)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:length]


def enterprise_id(name: str, credit_code: str | None = None) -> str:
    """Deterministic id of a new enterprise: ``ent:`` + credit code, else ``ent:`` + a hash of the
    name normalised with the built-in places only (so that it does not depend on the store)."""
    if credit_code:
        return f"ent:{credit_code}"
    return f"ent:{stable_hash(normalise_enterprise(name).canonical())}"


def product_id(name: str) -> str:
    """Deterministic id of a new product: ``prod:`` + hash of the normalised name."""
    return f"prod:{stable_hash(normalise_text(name))}"


# --- the resolver ----------------------------------------------------------------------------


@dataclass
class _Entry:
    id: str
    label: str
    name: str
    aliases: list[str]
    credit_code: str | None
    queued: bool  # in the review queue: never a resolution target
    keys: list[EnterpriseKey] = field(default_factory=list)


class Resolver:
    """Resolve names, aliases, ids and credit codes to node ids, from names preloaded from ``store``.

    ``store=None`` gives an empty resolver (for tests and dry checks); :meth:`add` registers
    nodes that an import is about to create so that later rows can refer to them. Place names
    stripped from enterprise names are the provinces, the stored regions and ``places``.
    """

    def __init__(
        self, store: GraphStore | None = None, labels: Iterable[str] = RESOLVED_LABELS, places: Iterable[str] = ()
    ) -> None:
        self.entries: dict[str, _Entry] = {}
        self._by_code: dict[str, list[str]] = defaultdict(list)
        self._by_name: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        self._by_alias: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        self._by_light: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        self._by_core: dict[str, dict[str, None]] = defaultdict(dict)  # ordered sets of ids
        self._by_head: dict[str, dict[str, None]] = defaultdict(dict)
        rows: list[tuple[str, dict[str, Any]]] = []
        if store is not None:
            for label in labels:
                skip = 0
                while True:
                    page = store.read(_names_query(label), {"skip": skip, "limit": PAGE_SIZE})
                    rows.extend((label, r) for r in page)
                    if len(page) < PAGE_SIZE:
                        break
                    skip += PAGE_SIZE
        regions = [str(r["name"]) for label, r in rows if label == "Region" and r.get("name")]
        regions += [str(a) for label, r in rows if label == "Region" for a in (r.get("aliases") or [])]
        self.places = Places([*regions, *places])
        for label, r in rows:
            evidence = str(r.get("evidence") or "")
            aliases = r.get("aliases") or []
            self.add(
                label,
                str(r["id"]),
                str(r.get("name") or ""),
                [str(a) for a in aliases] if isinstance(aliases, list) else [],
                credit_code=str(r["credit_code"]) if r.get("credit_code") else None,
                queued=r.get("status") == "extracted" and evidence.startswith(AMBIGUOUS_PREFIX),
            )

    # -- registration -------------------------------------------------------------------------

    def add(
        self,
        label: str,
        node_id: str,
        name: str,
        aliases: Sequence[str] = (),
        *,
        credit_code: str | None = None,
        queued: bool = False,
    ) -> None:
        """Register a node (stored, or about to be created by the current import).

        A node registered already (a stored node a row matched) gains the new names as aliases.
        """
        entry = self.entries.get(node_id)
        if entry is None:
            entry = _Entry(node_id, label, name, [], credit_code, queued)
            self.entries[node_id] = entry
            if queued:
                return
            if credit_code:
                self._by_code[credit_code].append(node_id)
            if name:
                self._by_name[label][name.strip()].append(node_id)
            self._index(entry, name)
        elif entry.queued:
            return
        else:
            aliases = [name, *aliases]
        for alias in aliases:
            alias = alias.strip()
            if alias and alias != entry.name and alias not in entry.aliases:
                entry.aliases.append(alias)
                self._by_alias[entry.label][alias].append(node_id)
                self._index(entry, alias)

    def _index(self, entry: _Entry, text: str) -> None:
        """Index ``text`` (a name or alias of ``entry``) by its normalised forms."""
        light = normalise_text(text)
        if light:
            ids = self._by_light[entry.label][light]
            if entry.id not in ids:
                ids.append(entry.id)
        if entry.label == "Enterprise":
            key = normalise_enterprise(text, self.places)
            if key.core and key not in entry.keys:
                entry.keys.append(key)
                self._by_core[key.core][entry.id] = None
                self._by_head[key.core[:2]][entry.id] = None

    # -- lookups --------------------------------------------------------------------------------

    def label_of(self, node_id: str) -> str | None:
        entry = self.entries.get(node_id)
        return entry.label if entry else None

    def name_of(self, node_id: str) -> str | None:
        entry = self.entries.get(node_id)
        return entry.name if entry else None

    def is_queued(self, node_id: str) -> bool:
        entry = self.entries.get(node_id)
        return bool(entry and entry.queued)

    def by_credit_code(self, code: str) -> str | None:
        ids = self._by_code.get(code) or []
        return ids[0] if ids else None

    def enterprise_key(self, name: str) -> EnterpriseKey:
        return normalise_enterprise(name, self.places)

    def enterprise_id(self, name: str, credit_code: str | None = None) -> str:
        return enterprise_id(name, credit_code)

    @staticmethod
    def _decide(ids: Iterable[str], kind: MatchKind) -> Match | None:
        unique = sorted(set(ids))
        if not unique:
            return None
        if len(unique) == 1:
            return Match(kind, unique[0], (unique[0],))
        return Match("ambiguous", None, tuple(unique))

    def resolve_enterprise(self, name: str, credit_code: str | None = None) -> Match:
        """Resolve an enterprise row by credit code, own id, name, alias, normalised and short name."""
        if credit_code:
            hit = self.by_credit_code(credit_code)
            if hit:
                return Match("exact", hit, (hit,))
        own = self.enterprise_id(name, credit_code)
        entry = self.entries.get(own)
        if entry and entry.label == "Enterprise" and not entry.queued:
            return Match("exact", own, (own,))
        name = name.strip()

        def usable(node_id: str) -> bool:
            e = self.entries[node_id]
            return e.label == "Enterprise" and not (credit_code and e.credit_code and e.credit_code != credit_code)

        levels: tuple[tuple[MatchKind, dict[str, list[str]]], ...] = (
            ("exact", self._by_name["Enterprise"]),
            ("alias", self._by_alias["Enterprise"]),
        )
        for kind, index in levels:
            decided = self._decide(filter(usable, index.get(name, ())), kind)
            if decided:
                return decided
        key = self.enterprise_key(name)
        if not key.core:
            return NEW
        same = [
            i
            for i in self._by_core.get(key.core, ())
            if usable(i)
            and any(
                k.core == key.core
                and _places_compatible(k.places, key.places)
                and (not k.generic or (k.places == key.places and k.places))
                for k in self.entries[i].keys
            )
        ]
        decided = self._decide(same, "normalised")
        if decided:
            return decided
        short = [
            i
            for i in self._by_head.get(key.core[:2], ())
            if usable(i)
            and any(
                _places_compatible(k.places, key.places)
                and (is_short_form(key.core, k.core) or is_short_form(k.core, key.core))
                for k in self.entries[i].keys
            )
        ]
        return self._decide(short, "normalised") or NEW

    def resolve(self, labels: str | Sequence[str], text: str) -> Match:
        """Resolve a reference (id, name or alias) to a node of one of ``labels``.

        Enterprise references go through the enterprise rules (without a credit code); other
        labels use id, exact name, alias and light normalisation.
        """
        wanted = (labels,) if isinstance(labels, str) else tuple(labels)
        text = text.strip()
        if "Enterprise" in wanted and CREDIT_CODE_SHAPE.match(text.upper()):
            hit = self.by_credit_code(text.upper())
            if hit:
                return Match("exact", hit, (hit,))
        if ID_PATTERN.match(text):
            entry = self.entries.get(text)
            if entry and entry.label in wanted:
                return Match("exact", text, (text,))
        levels: tuple[tuple[MatchKind, dict[str, dict[str, list[str]]]], ...] = (
            ("exact", self._by_name),
            ("alias", self._by_alias),
        )
        for kind, indexes in levels:
            decided = self._decide((i for label in wanted for i in indexes[label].get(text, ())), kind)
            if decided:
                return decided
        light = normalise_text(text)
        others = [i for label in wanted if label != "Enterprise" for i in self._by_light[label].get(light, ())]
        if "Enterprise" in wanted:
            m = self.resolve_enterprise(text)
            if m.kind == "ambiguous":
                return Match("ambiguous", None, tuple(sorted({*m.candidates, *others})))
            if m.node_id:
                others.append(m.node_id)
                if not [o for o in others if o != m.node_id]:
                    return m
        return self._decide(others, "normalised") or NEW
