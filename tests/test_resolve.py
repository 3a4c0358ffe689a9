"""Entity resolution: the normaliser, the resolver's rules, and resolution during an import."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import InputFileError
from graph.model import Enterprise, Institution, Park, Product, Region
from graph.store import GraphStore
from ingest.importer import import_file
from ingest.resolve import (
    AMBIGUOUS_PREFIX,
    Match,
    Places,
    Resolver,
    enterprise_id,
    is_generic,
    is_short_form,
    normalise_enterprise,
    normalise_text,
)
from tests.test_import import CODE_A, CODE_B, SEED, credit_code, doc, nodes_by_id, rejected, where, write_csv

# --- the normaliser -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "places", "core"),
    [
        ("甘肃银光化学工业集团有限公司", {"甘肃"}, "银光化学工业"),
        ("甘肃银光化学工业集团公司", {"甘肃"}, "银光化学工业"),
        ("银光集团", set(), "银光"),
        ("白银有色集团股份有限公司", {"白银"}, "有色"),
        ("甘肃省白银市某某科技有限公司", {"甘肃", "白银"}, "某某科技"),
        ("甘肃稀土集团有限责任公司", {"甘肃"}, "稀土"),
        ("中国北方稀土(集团)高科技股份有限公司", set(), "中国北方稀土高科技"),
        ("华为技术(深圳)有限公司", {"深圳"}, "华为技术"),
        ("某某（甘肃省）有限公司", {"甘肃"}, "某某"),
        ("  甘肃 郝氏炭纤维 有限公司 ", {"甘肃"}, "郝氏炭纤维"),
        ("Baiyin Nonferrous Group Co., Ltd.", set(), "baiyinnonferrous"),
        ("白银集团", set(), "白银"),  # stripping the place would leave nothing: it stays the core
        ("兰州石化分公司", set(), "兰州石化分"),  # a branch (分公司) stays apart from its parent
    ],
)
def test_normalise_enterprise(name: str, places: set[str], core: str) -> None:
    key = normalise_enterprise(name, Places(["白银市"]))
    assert (set(key.places), key.core) == (places, core)


def test_short_forms_and_generic_words() -> None:
    assert is_short_form("银光", "银光化学工业")
    assert is_short_form("白银有色", "白银有色金属")
    assert not is_short_form("光化", "银光化学工业")  # must keep the first two characters
    assert not is_short_form("化工", "化工机械")  # generic
    assert not is_short_form("银光化学工业", "银光")  # the short one comes first
    assert is_generic("有色") and is_generic("精细化工新材料") and not is_generic("银光")
    assert normalise_text("ＴＤＩ（80）") == "tdi80"


def test_deterministic_ids() -> None:
    assert enterprise_id("任何名称", CODE_A) == f"ent:{CODE_A}"
    assert enterprise_id("甘肃银光化学工业集团有限公司") == enterprise_id("甘肃银光化学工业有限公司")
    assert enterprise_id("某某") != enterprise_id("某某某")
    assert enterprise_id("某某").startswith("ent:") and len(enterprise_id("某某")) == 16


# --- the resolver in memory -------------------------------------------------------------------------


def resolver() -> Resolver:
    r = Resolver(None, places=["兰州市", "白银市"])
    r.add("Enterprise", "ent:yinguang", "甘肃银光化学工业集团有限公司", ["甘肃银光厂"], credit_code=CODE_A)
    r.add("Enterprise", "ent:bnmc", "白银有色集团股份有限公司", ["白银有色"])
    r.add("Enterprise", "ent:lz-yg", "兰州银光化工有限公司")
    r.add("Enterprise", "ent:haoshi", "郝氏炭纤维")
    r.add("Product", "prod:tdi", "甲苯二异氰酸酯", ["TDI"])
    r.add("Park", "park:yindong", "银东精细化工产业园", ["银东园"])
    r.add("Institution", "inst:x", "银东园")
    r.add("Institution", "inst:y", "银东精细化工产业园")
    return r


@pytest.mark.parametrize(
    ("name", "code", "expected"),
    [
        ("甘肃银光化学工业集团有限公司", None, Match("exact", "ent:yinguang", ("ent:yinguang",))),
        ("甘肃银光厂", None, Match("alias", "ent:yinguang", ("ent:yinguang",))),
        ("银光厂", None, Match("normalised", "ent:yinguang", ("ent:yinguang",))),  # the alias, without 甘肃
        ("甘肃银光化学工业集团公司", None, Match("normalised", "ent:yinguang", ("ent:yinguang",))),
        ("甘肃郝氏炭纤维有限公司", None, Match("normalised", "ent:haoshi", ("ent:haoshi",))),  # full vs short
        ("白银有色集团公司", None, Match("normalised", "ent:bnmc", ("ent:bnmc",))),
        ("白银银光化工有限公司", None, Match("new")),  # 白银 is not 兰州, nor 甘肃 (no hierarchy known)
        ("银光", None, Match("ambiguous", None, ("ent:lz-yg", "ent:yinguang"))),
        ("有色集团", None, Match("new")),  # generic core without a place
        ("化工公司", None, Match("new")),
        ("郝氏炭纤维", CODE_A, Match("exact", "ent:yinguang", ("ent:yinguang",))),  # credit code wins
        ("甘肃银光化学工业集团有限公司", CODE_B, Match("new")),  # same name, other credit code
    ],
)
def test_resolve_enterprise(name: str, code: str | None, expected: Match) -> None:
    assert resolver().resolve_enterprise(name, code) == expected


def test_resolve_references() -> None:
    r = resolver()
    assert r.resolve("Product", "TDI") == Match("alias", "prod:tdi", ("prod:tdi",))
    assert r.resolve("Product", "prod:tdi").kind == "exact"
    assert r.resolve("Product", " 甲苯二异氰酸酯 ").node_id == "prod:tdi"
    assert r.resolve("Park", "银东园").kind == "alias"
    assert r.resolve(["Park", "Institution"], "银东园").node_id == "inst:x"  # an exact name beats an alias
    both = r.resolve(["Park", "Institution"], "银东精细化工产业园")
    assert both == Match("ambiguous", None, ("inst:y", "park:yindong"))
    assert r.resolve("Enterprise", CODE_A.lower()).node_id == "ent:yinguang"  # a credit code, in any case
    assert r.resolve("Enterprise", CODE_A).node_id == "ent:yinguang"
    assert r.resolve("Product", "prod:unknown") == Match("new")
    assert r.resolve("Park", "ent:bnmc") == Match("new")  # an id of another label is no park


def test_review_queue_nodes_are_not_targets() -> None:
    r = resolver()
    r.add("Enterprise", "ent:queued", "银光", queued=True)
    assert r.resolve_enterprise("银光").kind == "ambiguous"
    assert r.resolve("Enterprise", "ent:queued").node_id == "ent:queued"  # but its id still works


# --- resolution during an import -----------------------------------------------------------------------


def seed_firms(store: GraphStore) -> None:
    nodes = [
        Region(id="region:baiyin", name="白银市", **SEED),  # stored regions are place prefixes
        Enterprise(id="ent:yinguang", name="甘肃银光化学工业集团有限公司", credit_code=CODE_A, **SEED),
        Enterprise(id="ent:yg-pu", name="白银银光聚氨酯有限公司", **SEED),
        Enterprise(id="ent:other", name="甲公司", credit_code=CODE_B, **SEED),
        Product(id="prod:tdi", name="甲苯二异氰酸酯", aliases=["TDI"], **SEED),
        Park(id="park:yindong", name="银东精细化工产业园", **SEED),
        Institution(id="inst:lzu", name="兰州大学", **SEED),
    ]
    store.load([n.to_node() for n in nodes], [])


def test_full_and_short_names_merge(store: GraphStore, tmp_path: Path) -> None:
    seed_firms(store)
    path = write_csv(
        tmp_path / "e.csv",
        [["name", "products", "source"], ["甘肃银光化学工业集团公司", "TDI", "s"], ["白银银光聚氨酯公司", None, "s"]],
    )
    report = import_file(store, path, "enterprises")
    assert (report.nodes_created, report.nodes_updated, report.ambiguous) == (0, 2, 0)
    nodes = nodes_by_id(store)
    assert nodes["ent:yinguang"]["aliases"] == ["甘肃银光化学工业集团公司"]
    assert nodes["ent:yg-pu"]["aliases"] == ["白银银光聚氨酯公司"]
    assert len([n for n in nodes.values() if n["label"] == "Enterprise"]) == 3


def test_credit_code_wins_over_name(store: GraphStore, tmp_path: Path) -> None:
    seed_firms(store)
    code_c = credit_code("91620400MA71A0003")
    path = write_csv(
        tmp_path / "e.csv",
        [["name", "credit_code", "employees"], ["甲公司", CODE_A, 10], ["甘肃银光化学工业集团有限公司", code_c, 20]],
    )
    report = import_file(store, path, "enterprises")
    nodes = nodes_by_id(store)
    assert nodes["ent:yinguang"]["employees"] == 10  # matched by its code despite the other firm's name
    assert "甲公司" in nodes["ent:yinguang"]["aliases"]
    # the second row has the stored firm's name but another code: a different legal entity
    assert (
        nodes[f"ent:{code_c}"]["name"] == "甘肃银光化学工业集团有限公司" and nodes[f"ent:{code_c}"]["employees"] == 20
    )
    assert (report.nodes_created, report.nodes_updated) == (1, 1)


def test_credit_code_held_by_another_id(store: GraphStore, tmp_path: Path) -> None:
    seed_firms(store)
    path = write_csv(tmp_path / "e.csv", [["id", "name", "credit_code"], ["ent:other", "甲公司", CODE_A]])
    assert where(rejected(store, path, kind="enterprises")) == [(str(path), 2, "credit_code")]


def test_ambiguous_match_is_queued_not_merged(store: GraphStore, tmp_path: Path) -> None:
    seed_firms(store)
    before = nodes_by_id(store)
    path = write_csv(
        tmp_path / "e.csv",
        [["name", "park", "source", "evidence"], ["银光集团", "银东精细化工产业园", "s", "名单第3条"]],
    )
    report = import_file(store, path, "enterprises")
    assert report.ambiguous == 1 and report.nodes_created == 1
    [item] = report.review
    assert (item["row"], item["name"], item["candidates"]) == (2, "银光集团", ["ent:yg-pu", "ent:yinguang"])
    nodes = nodes_by_id(store)
    queued = nodes[item["node_id"]]
    assert queued["status"] == "extracted"
    assert queued["evidence"] == f"{AMBIGUOUS_PREFIX}ent:yg-pu, ent:yinguang; 名单第3条"
    assert nodes["ent:yinguang"] == before["ent:yinguang"] and nodes["ent:yg-pu"] == before["ent:yg-pu"]
    located = [e for e in doc(store)["edges"] if e["type"] == "LOCATED_IN"]
    assert [(e["source"], e["properties"]["status"]) for e in located] == [(item["node_id"], "extracted")]
    # importing again finds the same ambiguity and changes nothing
    after = doc(store)
    again = import_file(store, path, "enterprises")
    assert again.ambiguous == 1 and again.nodes_written == 0 and doc(store) == after
    # a reference to the ambiguous name elsewhere is an error, not a guess
    supply = write_csv(tmp_path / "s.csv", [["supplier", "customer"], ["银光集团", "甲公司"]])
    err = rejected(store, supply, kind="supplies")
    assert where(err) == [(str(supply), 2, "supplier")]
    assert "ambiguous" in err.value.problems[0]["message"]
    # once a person accepts the queued node it is an ordinary node: the row finds it again
    store.write("MATCH (n:Entity {id: $id}) SET n.status = 'reviewed'", {"id": item["node_id"]})
    accepted = import_file(store, path, "enterprises")
    assert (accepted.ambiguous, accepted.nodes_created) == (0, 0)
    node = nodes_by_id(store)[item["node_id"]]
    assert (node["status"], node["evidence"]) == ("reviewed", "名单第3条")


def test_new_enterprise_ids_are_stable(store: GraphStore, tmp_path: Path) -> None:
    seed_firms(store)
    path = write_csv(tmp_path / "e.csv", [["name"], ["示例新公司"]])
    import_file(store, path, "enterprises")
    first = set(nodes_by_id(store))
    import_file(store, write_csv(tmp_path / "e2.csv", [["name"], ["示例新有限公司"]]), "enterprises")
    assert set(nodes_by_id(store)) == first  # same normalised name → same node
    assert enterprise_id("示例新公司") in first


def test_ambiguous_reference_is_an_error(store: GraphStore, tmp_path: Path) -> None:
    seed_firms(store)
    path = write_csv(tmp_path / "c.csv", [["a", "b"], ["银光", "兰州大学"], ["ent:yinguang", "兰州大学"]])
    with pytest.raises(InputFileError) as err:
        import_file(store, path, "cooperation")
    assert where(err) == [(str(path), 2, "a")]
