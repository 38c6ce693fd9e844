"""Unit names: splitting raw lists, guessing kinds, the registry and its coverage of the seed documents."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tasks_app.parsing.units import (
    UNIT_KINDS,
    RegistryError,
    UnitRegistry,
    guess_unit_kind,
    normalize_unit_name,
    split_units,
)

ROOT = Path(__file__).resolve().parents[2]
REGISTRY_PATH = ROOT / "fixtures" / "units.json"
DOCUMENTS = ROOT / "fixtures" / "documents"
FW_OPEN, FW_CLOSE = "\uff08", "\uff09"


def fw(text: str) -> str:
    """Spell a name with full-width parentheses, the canonical form."""
    return text.replace("(", FW_OPEN).replace(")", FW_CLOSE)


@pytest.fixture(scope="module")
def registry() -> UnitRegistry:
    return UnitRegistry.load(REGISTRY_PATH)


def minimal_registry(units: list[dict]) -> dict:
    return {
        "jurisdictions": [
            {"name": "营口市", "parent": None, "level": "city"},
            {"name": "站前区", "parent": "营口市", "level": "district"},
        ],
        "units": units,
    }


# -- split_units ---------------------------------------------------------------------------------


def test_it_strips_a_trailing_full_stop() -> None:
    assert split_units("市财政局。") == (["市财政局"], False)
    assert split_units("市住房城乡建设委.") == (["市住房城乡建设委"], False)
    assert split_units("市公用事业局等。") == (["市公用事业局"], True)


def test_it_keeps_a_parenthesised_second_name_with_its_unit() -> None:
    names, _ = split_units("市交通局(市机场办)、市农委(市扶贫办)、市政府办公室(法制办)")
    assert names == [fw("市交通局(市机场办)"), fw("市农委(市扶贫办)"), fw("市政府办公室(法制办)")]


def test_it_splits_several_leads_in_one_line() -> None:
    assert split_units("市工信委、市国资委") == (["市工信委", "市国资委"], False)
    assert split_units("市发改委;市统计局") == (["市发改委", "市统计局"], False)
    assert split_units("市发改委\uff1b市统计局\uff0c市财政局,市人社局") == (
        ["市发改委", "市统计局", "市财政局", "市人社局"],
        False,
    )


def test_it_splits_names_on_separate_lines_or_wide_gaps() -> None:
    assert split_units("市发改委\n市财政局")[0] == ["市发改委", "市财政局"]
    assert split_units("市发改委\u3000市财政局")[0] == ["市发改委", "市财政局"]
    assert split_units(" 市发 改委 ")[0] == ["市发改委"]


def test_it_flags_and_others() -> None:
    assert split_units("市工信委、市住房城乡建设委、市交通局、市商务局、市农委等") == (
        ["市工信委", "市住房城乡建设委", "市交通局", "市商务局", "市农委"],
        True,
    )
    assert split_units("市财政局等单位") == (["市财政局"], True)
    assert split_units("市财政局等有关部门")[1] is True
    assert split_units("市财政局、市统计局")[1] is False


def test_it_keeps_group_names_whole() -> None:
    names, flag = split_units("市人力资源社会保障局、各县(市)区政府、园区管委会等")
    assert names == ["市人力资源社会保障局", fw("各县(市)区政府"), "园区管委会"]
    assert flag is True
    group = "营口市社会信用体系建设领导小组成员单位"
    assert split_units(group)[0] == [group]
    assert split_units("各有关部门。")[0] == ["各有关部门"]


def test_it_does_not_split_on_and_inside_a_name() -> None:
    for name in (
        "市人力资源和社会保障局",
        "市住房和城乡建设局",
        "营口市政府和社会资本合作工作领导小组成员单位",
        "市发展和改革委员会",
    ):
        assert split_units(name) == ([name], False)


def test_it_splits_on_and_between_two_complete_names() -> None:
    assert split_units("市发改委和市财政局")[0] == ["市发改委", "市财政局"]
    assert split_units("市发改委及有关部门")[0] == ["市发改委", "有关部门"]
    assert split_units("区委和区政府")[0] == ["区委", "区政府"]


def test_it_never_splits_inside_parentheses() -> None:
    assert split_units("市民委(宗教局、侨办)")[0] == [fw("市民委(宗教局、侨办)")]


def test_it_drops_duplicates_and_empty_parts() -> None:
    assert split_units("市财政局、、市财政局、")[0] == ["市财政局"]
    assert split_units("") == ([], False)


def test_it_normalises_a_unit_name() -> None:
    assert normalize_unit_name(" 各县(市)区政府。") == fw("各县(市)区政府")
    assert normalize_unit_name("商务局)") == "商务局"
    assert normalize_unit_name("\u3000市 财政局;") == "市财政局"


@given(st.text(alphabet="市局委办和等、,;()。 区政府各", max_size=30))
def test_it_returns_clean_names_for_any_input(raw: str) -> None:
    names, _ = split_units(raw)
    for name in names:
        assert name
        assert normalize_unit_name(name) == name
        assert "(" not in name and ")" not in name
        assert not name.endswith("等")


# -- guess_unit_kind -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("市交通运输局", "department"),
        ("市发展和改革委员会", "department"),
        ("盖州市政府", "county_government"),
        ("东兴街道办事处", "county_government"),
        ("营口高新技术产业开发区管理委员会", "park_committee"),
        ("仙人岛能源化工区管委会", "park_committee"),
        ("营口港务集团", "enterprise"),
        ("国网营口供电公司", "enterprise"),
        ("营口海关", "central_agency"),
        ("国家税务总局营口市税务局", "central_agency"),
        ("中国人民银行营口市中心支行", "central_agency"),
        ("市通信管理办公室", "central_agency"),
        ("市脱贫攻坚领导小组", "leading_group"),
        ("市安全生产委员会", "leading_group"),
        ("各县(市)区政府", "group"),
        ("各有关部门", "group"),
        ("营口市脱贫攻坚领导小组成员单位", "group"),
        ("各派出机构", "group"),
    ],
)
def test_it_guesses_the_kind_of_an_unknown_unit(name: str, kind: str) -> None:
    assert guess_unit_kind(name) == kind


# -- UnitRegistry.resolve ------------------------------------------------------------------------


def test_it_resolves_both_spellings_of_the_human_resources_bureau_to_one_unit(registry: UnitRegistry) -> None:
    names = {
        registry.resolve(raw, "营口市").name
        for raw in ("市人力资源和社会保障局", "市人力资源社会保障局", "市人社局", "人社局")
    }
    assert names == {"市人力资源社会保障局"}


def test_it_resolves_the_short_and_long_forms_of_the_planning_office(registry: UnitRegistry) -> None:
    for raw in ("市发改委", "市发展改革委", "市发展和改革委员会", "营口市发展和改革委员会", "发改委"):
        resolution = registry.resolve(raw, "营口市")
        assert (resolution.name, resolution.known, resolution.kind) == ("市发展改革委", True, "department")


def test_it_resolves_parenthesised_forms_to_the_first_unit(registry: UnitRegistry) -> None:
    assert registry.resolve("市交通局(市机场办)", "营口市").name == "市交通局"
    assert registry.resolve("市机场办", "营口市").name == "市交通局"
    assert registry.resolve("市农委(市扶贫办)", "营口市").name == "市农委"
    assert registry.resolve("市政府办公室(法制办)", "营口市").name == "市政府办公室"
    unregistered = registry.resolve("市财政局(市国资办)", "营口市")
    assert (unregistered.name, unregistered.rule) == ("市财政局", "parenthesis")


def test_it_resolves_district_names_written_long_or_short(registry: UnitRegistry) -> None:
    assert registry.resolve("站前区商务局", "站前区").name == "商务局"
    assert registry.resolve("区商务局", "站前区").name == "商务局"
    assert registry.resolve("站前区人力资源和社会保障局", "站前区").name == "人社局"
    assert registry.resolve("营口核翼经济开发区", "站前区").kind == "park_committee"


def test_it_keeps_names_unique_per_jurisdiction_not_globally(registry: UnitRegistry) -> None:
    district = registry.resolve("财政局", "站前区")
    city = registry.resolve("财政局", "营口市")
    assert (district.name, district.jurisdiction) == ("财政局", "站前区")
    assert (city.name, city.jurisdiction) == ("市财政局", "营口市")


def test_it_resolves_a_city_name_in_a_district_document_to_the_city_unit(registry: UnitRegistry) -> None:
    resolution = registry.resolve("市发改委", "站前区")
    assert (resolution.name, resolution.jurisdiction, resolution.known) == ("市发展改革委", "营口市", True)
    assert resolution.rule.startswith("parent:")
    assert registry.resolve("市场局", "站前区").jurisdiction == "站前区"


def test_it_resolves_group_units_and_lists_their_members(registry: UnitRegistry) -> None:
    resolution = registry.resolve("各县(市)区政府", "营口市")
    assert (resolution.name, resolution.kind) == (fw("各县(市)区政府"), "group")
    assert "站前区政府" in registry.members("各县(市)区政府", "营口市")
    assert registry.resolve("市社会信用体系建设领导小组成员单位", "营口市").known


def test_it_reports_an_unknown_name_with_a_guessed_kind(registry: UnitRegistry) -> None:
    resolution = registry.resolve(" 营口市大数据管理局。", "营口市")
    assert resolution.known is False
    assert resolution.name == "营口市大数据管理局"
    assert resolution.kind == "department"
    assert resolution.jurisdiction == "营口市"
    assert registry.resolve("鞍山海关", "营口市").kind == "central_agency"


def test_it_never_matches_a_near_miss(registry: UnitRegistry) -> None:
    for raw in ("市发改", "市人力资源局", "市财政"):
        assert registry.resolve(raw, "营口市").known is False


def test_it_lists_registry_entries_of_a_jurisdiction_as_copies(registry: UnitRegistry) -> None:
    units = registry.units_for("站前区")
    assert {unit["name"] for unit in units} >= {"商务局", "住建局", "核翼经开区"}
    units[0]["aliases"].append("changed")
    assert "changed" not in registry.units_for("站前区")[0]["aliases"]
    assert registry.units_for("葫芦岛市")


# -- the registry file ---------------------------------------------------------------------------


def test_it_ships_a_consistent_registry_file() -> None:
    data = json.loads(REGISTRY_PATH.read_text(encoding="utf-8"))
    registry = UnitRegistry.from_dict(data)  # validates kinds, jurisdictions and alias collisions
    jurisdictions = {entry["name"] for entry in data["jurisdictions"]}
    assert {"辽宁省", "营口市", "站前区", "锦州市", "凌河区", "沈阳市", "皇姑区", "葫芦岛市"} <= jurisdictions
    seen: dict[tuple[str, str], str] = {}
    for unit in data["units"]:
        assert unit["kind"] in UNIT_KINDS
        assert unit["jurisdiction"] in jurisdictions
        assert "(" not in unit["name"] and ")" not in unit["name"]
        for key in (unit["name"], *unit["aliases"]):
            owner = seen.setdefault((unit["jurisdiction"], normalize_unit_name(key)), unit["name"])
            assert owner == unit["name"], f"{key} names both {owner} and {unit['name']}"
    assert all(registry.resolve(unit["name"], unit["jurisdiction"]).known for unit in data["units"])


@pytest.mark.parametrize(
    ("units", "message"),
    [
        ([{"name": "市财政局", "jurisdiction": "营口市", "kind": "bureau"}], "unknown kind"),
        ([{"name": "市财政局", "jurisdiction": "大连市", "kind": "department"}], "unknown jurisdiction"),
        (
            [
                {"name": "市财政局", "jurisdiction": "营口市", "kind": "department", "aliases": ["财政局"]},
                {"name": "市地税局", "jurisdiction": "营口市", "kind": "department", "aliases": ["财政局"]},
            ],
            "names both",
        ),
    ],
)
def test_it_rejects_an_inconsistent_registry(units: list[dict], message: str) -> None:
    with pytest.raises(RegistryError, match=message):
        UnitRegistry.from_dict(minimal_registry(units))


def test_it_allows_the_same_alias_in_two_jurisdictions() -> None:
    registry = UnitRegistry.from_dict(
        minimal_registry(
            [
                {"name": "市财政局", "jurisdiction": "营口市", "kind": "department", "aliases": ["财政局"]},
                {"name": "财政局", "jurisdiction": "站前区", "kind": "department"},
            ]
        )
    )
    assert registry.resolve("财政局", "站前区").jurisdiction == "站前区"


# -- coverage of the seed documents --------------------------------------------------------------

LABEL_LINE = re.compile(r"^\s*(?:牵头单位|配合单位|责任单位)[:\uff1a](.*)$")
INLINE_DEPARTMENTS = re.compile(r"[(\uff08]责任部门[:\uff1a]([^)\uff09]*)[)\uff09]")


def raw_unit_names(filename: str, pattern: re.Pattern[str]) -> set[str]:
    names: set[str] = set()
    for line in (DOCUMENTS / filename).read_text(encoding="utf-8").splitlines():
        for match in pattern.finditer(line):
            names.update(split_units(match.group(1))[0])
    return names


@pytest.mark.parametrize(
    ("filename", "pattern", "jurisdiction", "expected_raw"),
    [
        ("002_72dfb345852fffd3.txt", LABEL_LINE, "营口市", 94),
        ("000_aeb35f2bbea0796b.txt", INLINE_DEPARTMENTS, "站前区", 31),
    ],
)
def test_it_knows_every_unit_named_in_the_seed_documents(
    registry: UnitRegistry, filename: str, pattern: re.Pattern[str], jurisdiction: str, expected_raw: int
) -> None:
    raw = raw_unit_names(filename, pattern)
    assert len(raw) == expected_raw
    resolutions = {name: registry.resolve(name, jurisdiction) for name in raw}
    assert [name for name, found in resolutions.items() if not found.known] == []
    canonical = {found.name for found in resolutions.values()}
    assert len(canonical) <= len(raw)
    assert {found.jurisdiction for found in resolutions.values()} == {jurisdiction}


def test_it_recovers_a_unit_name_as_written_from_the_document_lines():
    from tasks_app.parsing.units import SpellingIndex, clean_unit_name, split_units

    line = "配合单位:各县(市、区)人民政府、市直有关部门。"
    names, _ = split_units(line.split(":", 1)[1])
    assert SpellingIndex([line]).as_written(names, (1, 1)) == ["各县(市、区)人民政府", "市直有关部门"]
    assert clean_unit_name(" 各县(市、区)人民政府。") == "各县(市、区)人民政府"


def test_it_guesses_group_units_from_their_names():
    for name in ("各县(市、区)人民政府", "各街道办事处", "区直各部门", "市直有关部门"):
        assert guess_unit_kind(name) == "group"
