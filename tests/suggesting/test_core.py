"""The pure suggester: no database, hand-made examples."""

from __future__ import annotations

from tasks_app.suggesting.concepts import (
    concept_key,
    function_key_for,
    function_words,
    functions_of,
    key_base,
)
from tasks_app.suggesting.evaluation import leave_one_out_evaluate
from tasks_app.suggesting.suggester import DivisionSuggester, TrainingExample
from tasks_app.suggesting.textvec import TfidfIndex, grams_count, shared_terms_find

EXAMPLES = [
    TrainingExample(1, "p", "加快棚户区住房改造,完善保障性住房体系。", ("住建局",), ("财政局",)),
    TrainingExample(2, "p", "推进城镇棚户区改造和老旧小区改造。", ("住建局",), ("发改局",)),
    TrainingExample(3, "p", "发展学前教育,均衡发展义务教育。", ("教育局",), ("财政局",)),
    TrainingExample(4, "p", "加强中小学教师队伍建设,推进义务教育均衡发展。", ("教育局",), ("人社局",)),
    TrainingExample(5, "p", "完善公共卫生服务体系,提升医院医疗水平。", ("卫健局",), ()),
]


def _suggester(**kwargs) -> DivisionSuggester:
    return DivisionSuggester(examples=EXAMPLES, **kwargs)


def test_it_ranks_the_units_of_the_most_similar_items_first():
    suggestion = _suggester().suggest(text="实施棚户区改造工程")
    assert suggestion.lead[0].unit == "住建局"
    assert set(suggestion.lead[0].neighbours) <= {1, 2}
    assert suggestion.neighbours[0].item_id in (1, 2)


def test_it_explains_with_neighbours_and_the_terms_they_share():
    suggestion = _suggester().suggest(text="实施棚户区改造工程")
    assert "棚户区改造" in suggestion.matched_terms or "棚户区" in suggestion.matched_terms
    assert all(0 < n.similarity <= 1 for n in suggestion.neighbours)


def test_it_suggests_cooperating_units_but_not_the_top_lead():
    suggestion = _suggester().suggest(text="加快棚户区住房改造")
    cooperating = [score.unit for score in suggestion.cooperating]
    assert "财政局" in cooperating
    assert "住建局" not in cooperating


def test_it_proposes_a_unit_from_its_function_words_without_any_example():
    words = {"退役军人事务局": function_words(labels=functions_of(key="退役军人事务局"))}
    suggestion = _suggester(unit_words=words).suggest(text="做好退役军人双拥优抚工作")
    assert suggestion.lead[0].unit == "退役军人事务局"
    assert "双拥" in suggestion.lead[0].words


def test_it_never_lets_a_held_out_item_vote_for_itself():
    suggester = _suggester()
    suggestion = suggester.suggest(text=EXAMPLES[4].text, exclude=(4,))
    assert all(n.item_id != 5 for n in suggestion.neighbours)
    assert "卫健局" not in [score.unit for score in suggestion.lead]


def test_it_sums_keys_that_map_onto_one_unit_and_drops_unmapped_ones():
    mapping = {"教育局": "教文旅局", "卫健局": None}
    suggestion = _suggester().suggest(text="推进义务教育发展", unit_map=mapping)
    units = [score.unit for score in suggestion.lead]
    assert units[0] == "教文旅局"
    assert "卫健局" not in units and "教育局" not in units


def test_it_measures_leave_one_out_accuracy():
    suggester = _suggester()
    result = leave_one_out_evaluate(name="toy", suggester=suggester, positions=range(4), unit_map=lambda unit: unit)
    assert result.items == 4
    assert result.top3_accuracy >= 0.75
    assert result.as_dict()["lead_top3"] == round(result.top3_accuracy, 3)


def test_it_strips_only_the_units_own_level_prefix():
    assert concept_key(name="市科技局", jurisdiction="营口市") == "科技局"
    assert concept_key(name="营口市发改委", jurisdiction="营口市") == "发改委"
    assert concept_key(name="市委宣传部", jurisdiction="营口市") == "宣传部"
    assert concept_key(name="市政府金融办", jurisdiction="营口市") == "金融办"
    assert concept_key(name="区委政法委", jurisdiction="站前区") == "政法委"
    assert concept_key(name="市场局", jurisdiction="站前区") == "市场局"
    assert concept_key(name="商务局", jurisdiction="站前区") == "商务局"


def test_it_knows_renamed_and_merged_departments_share_a_function():
    assert functions_of(key="卫计委") == functions_of(key="卫健局") == ("卫生健康",)
    assert "教育" in functions_of(key="教文旅局") and "旅游" in functions_of(key="教文旅局")
    assert functions_of(key="工商局") == functions_of(key="市场局")


def test_it_reads_the_functions_of_combined_county_bureaus_and_of_every_citys_standing_departments():
    assert functions_of(key="科技和工业信息化局") == functions_of(key="工信科技局") == ("工业信息化", "科技")
    assert functions_of(key="教育和体育局") == ("教育", "文化体育") and functions_of(key="体育局") == ("文化体育",)
    assert functions_of(key="农业农村和水利局") == ("农业农村", "水利")
    assert functions_of(key="粮食和物资储备局") == ("发展改革",)  # administered by 发改 since 2018
    assert functions_of(key="医疗保障局") == functions_of(key="医保局") == ("医疗保障",)
    assert functions_of(key="审计局") == ("审计",) and functions_of(key="人防办") == ("人防",)
    words = {key: function_words(labels=functions_of(key=key)) for key in ("医疗保障局", "审计局", "卫健局")}
    suggester = _suggester(unit_words=words)
    assert suggester.suggest(text="药品集中带量采购和异地就医直接结算").lead[0].unit == "医疗保障局"
    assert suggester.suggest(text="开展重大政策落实跟踪审计和经济责任审计").lead[0].unit == "审计局"


def test_it_builds_character_ngrams_and_unit_length_vectors():
    assert {"棚户", "户区", "棚户区"} <= set(grams_count(text="棚户区2020年"))
    index = TfidfIndex(documents=["棚户区改造", "学前教育"])
    vector = index.vector_for(text="棚户区改造")
    assert abs(sum(w * w for w in vector.values()) - 1) < 1e-9
    assert index.nearest_find(vector=vector, limit=2)[0][0] == 0


def test_it_finds_the_longest_shared_terms():
    terms = shared_terms_find(text="城镇棚户区住房改造", other="加快棚户区改造", idf={})
    assert "棚户区" in terms and "改造" in terms


def test_it_cuts_registry_names_and_domain_words_as_one_word_and_caches_outside_the_repo():
    import tempfile
    from pathlib import Path

    from tasks_app.suggesting import words

    cut = words.words_cut("市卫生健康委推进分级诊疗,万元地区生产总值用水量下降,发展互联网金融和融资担保")
    assert {"卫生健康委", "分级诊疗", "用水量", "互联网金融", "融资担保"} <= set(cut)
    tokenizer = words._tokenizer()
    assert Path(tokenizer.tmp_dir) == Path(tempfile.gettempdir())
    assert not (Path(words.FIXTURES).parent / tokenizer.cache_file).exists()


def test_it_adds_the_keyword_table_to_the_function_words():
    from tasks_app.suggesting.concepts import function_words, keyword_table

    assert "用水量" in keyword_table()["水利"]
    assert {"水库", "用水量"} <= set(function_words(labels=["水利"]))


def test_it_gives_every_function_table_words_and_lists_no_word_under_two_functions():
    from tasks_app.suggesting.concepts import FUNCTIONS, keyword_table

    table = keyword_table()
    assert set(table) == {function.label for function in FUNCTIONS}
    owners: dict[str, set[str]] = {}
    for function in FUNCTIONS:
        assert len(table[function.label]) >= 2, function.label
        assert len(set(table[function.label])) == len(table[function.label]), function.label
        for word in (*function.words, *table[function.label]):
            owners.setdefault(word, set()).add(function.label)
    assert {word: labels for word, labels in owners.items() if len(labels) > 1} == {}


def test_it_gives_every_department_and_agency_of_the_registry_a_function():
    import json

    from tasks_app.suggesting.words import FIXTURES

    # district service centres: no published 三定 of their own
    unpublished = {"人力资源发展中心", "社投中心"}
    registry = json.loads((FIXTURES / "units.json").read_text(encoding="utf-8"))
    without = [
        unit["name"]
        for unit in registry["units"]
        if unit["kind"] in ("department", "central_agency")
        and unit["name"] not in unpublished
        and not any(
            functions_of(key=concept_key(name=name, jurisdiction=unit["jurisdiction"]))
            for name in (unit["name"], *unit.get("aliases", []))
        )
    ]
    assert without == []
    reforms = json.loads((FIXTURES / "successions.json").read_text(encoding="utf-8"))
    retired = [name for rule in reforms["successions"] for name in rule["from"] if not functions_of(key=name)]
    assert retired == []


def test_it_proposes_a_registry_agency_no_example_names_from_its_published_duties():
    words = {key: function_words(labels=functions_of(key=key)) for key in ("通信管理办公室", "口岸管理局", "住建局")}
    suggester = _suggester(unit_words=words)
    assert suggester.suggest(text="5G基站与千兆光网全覆盖").lead[0].unit == "通信管理办公室"
    assert suggester.suggest(text="电子口岸与国际贸易单一窗口").lead[0].unit == "口岸管理局"
    assert functions_of(key="海关") == ("海关",) and functions_of(key="国税局") == ("税务",)


SECTIONED = [
    TrainingExample(1, "p", "建设现代化港口集疏运体系。", ("交通局",), ("发改局",), context="交通强市。港航"),
    TrainingExample(2, "p", "推进航道疏浚和码头改造。", ("交通局",), ("财政局",), context="交通强市。港航"),
    TrainingExample(3, "p", "完善城市公交线网。", ("交通局",), (), context="交通强市。公交"),
    TrainingExample(4, "p", "发展学前教育,均衡发展义务教育。", ("教育局",), ("财政局",), context="教育强市"),
    TrainingExample(5, "p", "加强中小学教师队伍建设。", ("教育局",), ("人社局",), context="教育强市"),
    TrainingExample(6, "p", "实施乡村教师支持计划。", ("教育局",), (), context="教育强市"),
    TrainingExample(7, "p", "建设智慧物流信息平台。", ("交通局",), ("工信局",), context="交通强市。港航"),
]


def test_it_gives_an_item_the_units_of_its_sections_siblings():
    from dataclasses import replace

    suggester = DivisionSuggester(examples=SECTIONED)
    text = "打造区域性枢纽。"  # no word in common with any item: only the headings speak
    assert not suggester.suggest(text=text, context="交通强市。港航").lead
    with_headings = replace(suggester.settings, heading_weight=0.5)
    lead = suggester.suggest(text=text, context="交通强市。港航", settings=with_headings).lead
    assert lead[0].unit == "交通局"


def test_it_takes_a_held_out_item_out_of_the_centroids_exactly():
    from tasks_app.suggesting.suggester import _Centroids

    full = DivisionSuggester(examples=SECTIONED)
    without = DivisionSuggester(examples=SECTIONED[1:])
    query = full.index.vector_for(text="推进港口码头改造")
    held = full.centroids.similarities(vector=query, exclude=(0,))
    # the same centroids built without item 1, over the same vectors (so the idf is the same)
    rebuilt = _Centroids(vectors=full.index.vectors[1:], owners=[ex.lead for ex in SECTIONED[1:]])
    expected = rebuilt.similarities(vector=query)
    assert held.keys() == expected.keys() and all(abs(held[u] - expected[u]) < 1e-9 for u in held)
    assert without.centroids.similarities(vector=without.index.vector_for(text="推进港口码头改造"))


class _Recording(DivisionSuggester):
    """Records every ``parts`` call: which text was asked and what was held out."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.calls: list[tuple[str, tuple[int, ...]]] = []

    def parts(self, *, text, context="", exclude=(), settings=None):
        self.calls.append((text, tuple(exclude)))
        return super().parts(text=text, context=context, exclude=exclude, settings=settings)


def test_it_never_lets_a_held_out_fold_vote_or_be_scored_while_tuning():
    from tasks_app.suggesting.tuning import settings_tune

    suggester = _Recording(examples=SECTIONED)
    settings_tune(suggester=suggester, positions=range(len(SECTIONED)), held_out=(1, 4))
    held_texts = {SECTIONED[1].text, SECTIONED[4].text}
    assert suggester.calls
    assert all({1, 4} <= set(exclude) for _, exclude in suggester.calls)
    assert not held_texts & {text for text, _ in suggester.calls}
    # each inner suggestion holds its own item out too
    positions = {ex.text: i for i, ex in enumerate(SECTIONED)}
    assert all(positions[text] in exclude for text, exclude in suggester.calls)


def test_it_evaluates_each_item_with_weights_tuned_without_it(monkeypatch):
    from tasks_app.suggesting import evaluation

    seen: list[tuple[int, ...]] = []
    named_by: list = []
    real = evaluation.settings_tune

    def spy(*, suggester, positions, held_out=(), base=None, name_of):
        seen.append(tuple(held_out))
        named_by.append(name_of)
        return real(suggester=suggester, positions=positions, held_out=held_out, base=base, name_of=name_of)

    monkeypatch.setattr(evaluation, "settings_tune", spy)

    def unit_map(unit: str) -> str:
        return unit

    result = leave_one_out_evaluate(
        name="toy", suggester=DivisionSuggester(examples=SECTIONED), positions=range(7), unit_map=unit_map, tune=True
    )
    assert set(named_by) == {unit_map}  # the weights are chosen in the names the figures are read in
    assert result.items == 7 and len(result.weights) == len(seen) == 5  # five interleaved folds
    folds = [set(fold) for fold in seen]
    assert set().union(*folds) == set(range(7)) and sum(map(len, folds)) == 7  # every item in exactly one fold


def test_it_chooses_transfer_weights_without_reading_the_targets_labels():
    from tasks_app.suggesting.evaluation import transfer_evaluate

    suggester = DivisionSuggester(examples=SECTIONED)

    def weights(gold: str) -> dict:
        tests = [TrainingExample(9, "q", "打造区域性枢纽。", (gold,), (), context="交通强市。港航")]
        result = transfer_evaluate(
            name="t", suggester=suggester, tests=tests, unit_map=lambda u: u, gold_map=lambda u: u, tune=True
        )
        return result.weights[0]

    assert weights("交通局") == weights("教育局")


def test_it_raises_a_weight_only_when_the_training_items_say_it_pays():
    from tasks_app.suggesting.tuning import settings_tune

    texts = ["甲乙丙丁", "戊己庚辛", "壬癸子丑", "寅卯辰巳", "午未申酉", "戌亥天地", "玄黄宇宙", "日月盈昃"]
    examples = [  # texts share nothing; the heading says who leads
        TrainingExample(i, "p", text, ("交通局",) if i % 2 else ("教育局",), (), context="交通" if i % 2 else "教育")
        for i, text in enumerate(texts)
    ]
    chosen = settings_tune(suggester=DivisionSuggester(examples=examples), positions=range(len(examples)))
    assert chosen.heading_weight > 0
    plain = [TrainingExample(i, "p", ex.text, ex.lead, ()) for i, ex in enumerate(examples)]  # no headings
    assert settings_tune(suggester=DivisionSuggester(examples=plain), positions=range(8)).heading_weight == 0


def test_it_bounds_cooperating_recall_by_five_per_item_and_by_the_units_training_names():
    examples = [
        TrainingExample(
            1, "p", "加快棚户区住房改造。", ("住建局",), ("财政局", "甲局", "乙局", "丙局", "丁局", "戊局", "己局")
        ),
        TrainingExample(2, "p", "推进城镇棚户区改造。", ("住建局",), ("财政局",)),
        TrainingExample(3, "p", "发展学前教育。", ("教育局",), ("财政局",)),
    ]
    result = leave_one_out_evaluate(
        name="toy", suggester=DivisionSuggester(examples=examples), positions=range(3), unit_map=lambda unit: unit
    )
    report = result.as_dict()
    assert result.cooperating_gold == 9
    assert result.cooperating_reachable == 5 + 1 + 1  # five of item 1's seven, one each for the others
    assert report["cooperating_ceiling_at5"] == round(7 / 9, 3)
    # 甲局…己局 are named by item 1 alone: held out, it cannot have learnt them; 财政局 is named elsewhere
    assert result.cooperating_in_training == 3
    assert report["cooperating_gold_in_training"] == round(3 / 9, 3)
    # 住建局 leads items 1 and 2, 教育局 only item 3: held out, item 3 has no lead to learn from
    assert result.lead_in_training == 2 and report["lead_gold_in_training"] == round(2 / 3, 3)


def test_it_keys_a_combined_bureaus_item_by_the_function_its_words_name():
    tourism = function_key_for(key="教文旅局", text="打造滨海旅游品牌,全年接待游客增长10%。")
    assert tourism == "教文旅局·旅游"
    assert functions_of(key=tourism) == ("旅游",) and key_base(key=tourism) == "教文旅局"
    assert function_key_for(key="教文旅局", text="推进义务教育优质均衡,加强中小学教师队伍建设。") == "教文旅局·教育"
    assert function_key_for(key="教文旅局", text="优化营商环境。") == "教文旅局"  # no word of any of its functions
    assert function_key_for(key="商务局", text="打造滨海旅游品牌") == "商务局"  # one function: nothing to choose
    assert function_key_for(key="教文旅局@站前区", text="打造滨海旅游品牌") == "教文旅局@站前区"  # local units stay


def test_it_tunes_in_the_units_the_training_plan_wrote_not_in_function_keys():
    from tasks_app.suggesting import tuning

    # 教文旅局's two function keys are one unit of the training plan: together they outrank 商务局
    assert tuning._ranked({"教文旅局·旅游": 0.4, "教文旅局·教育": 0.3, "商务局": 0.5}) == ["教文旅局", "商务局"]
    # with the target's mapping, keys of two levels landing on one unit add up; unmapped keys drop out
    city = {"发改局": "市发展改革委", "发展改革委": "市发展改革委", "商务局": "市商务局", "核翼经开区@站前区": None}
    scores = {"发改局": 0.3, "发展改革委": 0.3, "商务局": 0.5, "核翼经开区@站前区": 0.9}
    assert tuning._ranked(scores, city.get) == ["市发展改革委", "市商务局"]
