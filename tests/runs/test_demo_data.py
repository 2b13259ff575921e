"""The bundled SYNTHETIC demo data: reproducible from its seed, shaped like the reports, labelled synthetic."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from nlp.text.normalize import normalize_for_matching
from nlp.ingest.schema import AGE_BANDS, GENDERS, PREFECTURES

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = ROOT / "data" / "generate_demo.py"
DEMO = ROOT / "data" / "demo"
CSV = DEMO / "consultations_synthetic.csv"
LABELS = DEMO / "labels_synthetic.csv"
BUNDLED = ["consultations_synthetic.csv", "labels_synthetic.csv", "SYNTHETIC.md"]
HEADER = ["相談ID", "相談日時", "発言者", "相談内容", "年代", "性別", "職業", "都道府県", "市区町村"]
OCCUPATIONS = {"小学生", "中学生", "高校生", "大学生", "会社員", "パート・アルバイト", "主婦・主夫", "無職", "自営業", "不明"}
# Current first-person ideation forms, as they read after normalize_for_matching (NFKC, katakana → hiragana).
IDEATION_FORMS = re.compile(
    "死にたい|死にたくなる|しにたい|死にてぇ|死にたみ|たひにたい|消えたい|きえたい|消えてしまいたい|いなくなりたい|生まれてこなければ"
    "|目が覚めなければ|自殺|じさつ|死のう|薬をためて|睡眠薬を少しずつ|飛び降り|遺書|首を吊ろう|死ねる|死に方|死ぬ場所"
    "|手首を切った|りすか|odした|おーばーどーず|あむか|薬をたくさん|腕を切って|切っちゃって|切ってしまい"
)
DEATH_WORDS = re.compile("[死し][にぬねんの]|自殺|消えたい|りすか|od|首をつっこむ|必死|尊死")


def _generate(out: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(GENERATOR), "--out", str(out), *args],
                          capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def messages() -> pd.DataFrame:
    return pd.read_csv(CSV, dtype=str, keep_default_na=False, encoding="utf-8")


@pytest.fixture(scope="module")
def consultations(messages: pd.DataFrame) -> pd.DataFrame:
    first = messages.groupby("相談ID", sort=False).first()
    first["t"] = pd.to_datetime(first["相談日時"], format="%Y/%m/%d %H:%M")
    return first


@pytest.fixture(scope="module")
def labels() -> pd.DataFrame:
    return pd.read_csv(LABELS, dtype=str, keep_default_na=False).set_index("consultation_id")


@pytest.fixture(scope="module")
def client_text(messages: pd.DataFrame) -> pd.Series:
    """All client messages of a consultation joined, normalised for matching."""
    client = messages[messages["発言者"] == "相談者"]
    return client.groupby("相談ID")["相談内容"].agg(" ".join).map(normalize_for_matching)


# ------------------------------------------------------------------ reproducibility
def test_bundled_files_regenerate_byte_for_byte(tmp_path: Path) -> None:
    result = _generate(tmp_path, "--seed", "42")
    assert result.returncode == 0, result.stderr
    for name in BUNDLED:
        assert (tmp_path / name).read_bytes() == (DEMO / name).read_bytes(), f"{name} differs from seed 42"


def test_small_runs_are_deterministic_and_follow_seed_and_n(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for out, seed in ((a, "7"), (b, "7"), (c, "8")):
        assert _generate(out, "--seed", seed, "--n", "150").returncode == 0
    assert (a / BUNDLED[0]).read_bytes() == (b / BUNDLED[0]).read_bytes()
    assert (a / BUNDLED[0]).read_bytes() != (c / BUNDLED[0]).read_bytes()
    small = pd.read_csv(a / BUNDLED[0], dtype=str)
    assert small["相談ID"].nunique() == 150


def test_invalid_n_is_refused_with_a_message(tmp_path: Path) -> None:
    result = _generate(tmp_path, "--n", "0")
    assert result.returncode != 0
    assert "'n' parameter" in result.stderr
    assert not (tmp_path / BUNDLED[0]).exists()


# ------------------------------------------------------------------ synthetic marking, format
def test_marked_synthetic_everywhere(messages: pd.DataFrame) -> None:
    assert "synthetic" in CSV.name and "synthetic" in LABELS.name
    assert messages["相談ID"].str.fullmatch(r"SYN-\d{5}").all()  # every row says it is synthetic
    note = (DEMO / "SYNTHETIC.md").read_text(encoding="utf-8")
    assert "SYNTHETIC" in note and "架空" in note
    assert "synthetic" in (ROOT / "data" / "README.md").read_text(encoding="utf-8").lower()


def test_header_size_and_message_structure(messages: pd.DataFrame) -> None:
    assert CSV.stat().st_size < 4_000_000
    assert list(messages.columns) == HEADER
    assert CSV.read_bytes()[:3] != b"\xef\xbb\xbf"  # plain UTF-8
    assert set(messages["発言者"]) == {"相談者", "相談員"}
    assert messages["相談日時"].str.fullmatch(r"20\d\d/\d\d/\d\d \d\d:\d\d").all()
    assert (messages["相談内容"].str.strip() != "").all()
    grouped = messages.groupby("相談ID", sort=False)
    assert (grouped["発言者"].first() == "相談員").all()  # a counselor greeting opens every chat
    n_client = messages[messages["発言者"] == "相談者"].groupby("相談ID").size()
    assert n_client.between(3, 8).all() and set(n_client) == set(range(3, 9))
    assert not messages.duplicated().any()  # the start time repeats, so a repeated message would look like a duplicate row
    # one consultation's attributes and start time are the same on each of its rows
    for column in ["相談日時", "年代", "性別", "職業", "都道府県", "市区町村"]:
        assert (grouped[column].nunique() == 1).all(), column


# ------------------------------------------------------------------ volume shape
def test_volume_over_two_fiscal_years(consultations: pd.DataFrame) -> None:
    t = consultations["t"]
    assert 2_500 <= len(consultations) <= 3_500
    assert t.min() >= pd.Timestamp("2023-04-01") and t.max() < pd.Timestamp("2025-04-01")
    fiscal = t.dt.year - (t.dt.month < 4)
    counts = fiscal.value_counts()
    assert set(counts.index) == {2023, 2024} and counts.min() >= 1_000
    assert t.is_monotonic_increasing


def test_peaks_in_august_on_sundays_and_at_22_23(consultations: pd.DataFrame) -> None:
    t = consultations["t"]
    by_month = t.dt.month.value_counts()
    assert by_month.idxmax() == 8 and by_month[8] > 1.2 * by_month.drop(8).max()
    by_weekday = t.dt.day_of_week.value_counts()
    assert by_weekday.idxmax() == 6  # Sunday
    by_hour = t.dt.hour.value_counts()
    assert by_hour.idxmax() in (22, 23)
    assert (by_hour[22] + by_hour[23]) / len(t) > 0.18
    assert by_hour[4] < by_hour[22] / 5


def test_attributes_shape(consultations: pd.DataFrame) -> None:
    ages = consultations["年代"].value_counts()
    assert set(ages.index) <= set(AGE_BANDS) and "不明" in ages.index and "80代以上" in ages.index
    assert set(ages.index[:2]) == {"10代", "20代"}
    genders = consultations["性別"].value_counts()
    assert set(genders.index) <= set(GENDERS)
    assert genders["女性"] > 1.5 * genders["男性"]
    assert set(consultations["職業"]) == OCCUPATIONS


def test_occupation_follows_age_band(consultations: pd.DataFrame) -> None:
    teen = consultations.loc[consultations["年代"] == "10代", "職業"]
    assert teen.isin(["中学生", "高校生"]).mean() > 0.7
    assert set(consultations.loc[consultations["職業"] == "小学生", "年代"]) <= {"10代未満", "10代"}
    assert set(consultations.loc[consultations["職業"] == "中学生", "年代"]) <= {"10代", "不明"}
    assert "主婦・主夫" not in set(teen)


def test_all_prefectures_present_some_without_suffix(consultations: pd.DataFrame) -> None:
    shown = consultations["都道府県"]
    by_stem = {p[:-1] if p != "北海道" else p: p for p in PREFECTURES}
    full = shown.map(lambda p: p if p in PREFECTURES or p == "不明" else by_stem.get(p, "?"))
    assert "?" not in set(full)
    assert set(full) - {"不明"} == set(PREFECTURES)
    assert "熊本" in set(shown) and "熊本県" in set(shown)
    assert (shown != full).mean() > 0.05  # some exports drop the suffix
    counts = full[full != "不明"].value_counts()
    assert counts["東京都"] > 10 * counts["鳥取県"]  # uneven weights


def test_kumamoto_summer_campaign(consultations: pd.DataFrame) -> None:
    full = consultations["都道府県"].replace({"熊本": "熊本県"})
    month = consultations["t"].dt.strftime("%Y-%m")
    campaign = month.isin(["2024-07", "2024-08"])
    kumamoto = full == "熊本県"
    assert kumamoto[campaign].mean() > 2 * kumamoto[~campaign].mean()


# ------------------------------------------------------------------ content and labels
def test_labels_cover_every_consultation(consultations: pd.DataFrame, labels: pd.DataFrame) -> None:
    assert list(labels.index) == list(consultations.index)
    themes = {"school", "family", "couple", "mental", "work", "career", "romance", "relationships", "money",
              "health", "gender", "violence", "internet", "loneliness"}
    assert set(labels["primary_theme"]) == themes
    level = labels["ideation_level"].astype(int)
    assert 0.12 <= (level > 0).mean() <= 0.18
    assert set(level) == {0, 1, 2, 3, 4}
    assert (labels.loc[level >= 3, "ideation_strength"] == "強い").all()
    assert (labels.loc[level == 0, "ideation_strength"] == "なし").all()
    assert set(labels.loc[level.between(1, 2), "ideation_strength"]) == {"強い", "少し"}


def test_themes_follow_attributes(consultations: pd.DataFrame, labels: pd.DataFrame) -> None:
    joined = labels.join(consultations["職業"])
    top = joined.groupby("職業")["primary_theme"].agg(lambda s: s.value_counts().index[0])
    assert top["中学生"] == top["高校生"] == "school"
    assert top["会社員"] == "work"
    homemaker = joined.loc[joined["職業"] == "主婦・主夫", "primary_theme"].value_counts(normalize=True)
    assert homemaker.get("family", 0) + homemaker.get("couple", 0) > 0.45


def test_ideation_labels_match_the_text(labels: pd.DataFrame, client_text: pd.Series) -> None:
    level = labels["ideation_level"].astype(int)
    text = client_text.reindex(labels.index)
    has_form = text.str.contains(IDEATION_FORMS)
    assert has_form[level > 0].all()
    # a chat without ideation and without a deliberate trap never uses an ideation form
    clean = (level == 0) & (labels["trap"] == "")
    assert not has_form[clean].any(), list(text[clean & has_form][:3].index)
    # traps are all level 0 and do contain death words: that is what makes them traps
    traps = labels["trap"] != ""
    assert text[traps & (level == 0)].str.contains(DEATH_WORDS).all()


@pytest.mark.parametrize("variant", [
    "死にたい", "消えたい", "いなくなりたい", "しにたい", "ｼﾆﾀｲ", "タヒにたい", "死にたみ", "死にてぇ", "しにたいいい",
    "自殺したい", "死のうと思", "薬をためてる", "飛び降り", "遺書", "手首を切った", "リスカした", "ODした",
    "毎日", "ずっと", "本気で",
    "死にたいわけじゃない", "死にたくはない", "死ぬほど", "必死", "死ぬかと思った", "充電が死んだ",
    "友達が死にたいって言ってて", "中学の頃は死にたいと思ってたけど今は大丈夫",
])
def test_ideation_variants_and_traps_occur_in_client_messages(messages: pd.DataFrame, variant: str) -> None:
    client = messages.loc[messages["発言者"] == "相談者", "相談内容"]
    assert client.str.contains(variant, regex=False).sum() >= 1


def test_only_fake_personal_data(messages: pd.DataFrame) -> None:
    text = messages["相談内容"]
    phones = text.str.findall(r"0\d0-\d{4}-\d{4}").explode().dropna()
    assert len(phones) >= 20 and phones.str.fullmatch(r"0[789]0-0000-\d{4}").all()
    mails = text.str.findall(r"[A-Za-z0-9._+-]+@[A-Za-z0-9.-]+").explode().dropna()
    assert len(mails) >= 20 and mails.str.endswith("@example.com").all()
    assert text.str.contains(r"(?:佐藤|鈴木|高橋|田中)(?:さん|先生)").sum() >= 20


def test_chat_like_variety(messages: pd.DataFrame) -> None:
    client = messages.loc[messages["発言者"] == "相談者", "相談内容"]
    assert client.nunique() > 5_000
    assert client.str.contains("[\U0001F300-\U0001FAFF]|\\(´;ω;`\\)|\\(T_T\\)|orz").mean() > 0.02
    for colloquial in ["わかんない", "てる", "んだよね", "んです", "ｗ"]:
        assert client.str.contains(colloquial, regex=False).sum() > 10, colloquial
    assert messages.loc[messages["発言者"] == "相談員", "相談内容"].nunique() > 20
