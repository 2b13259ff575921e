"""Seeded generator of a SYNTHETIC resident survey on loneliness (孤独・孤立) for soudan.

Nothing here is real: the city (みどり市), every respondent and every answer are drawn from
random numbers and the hand-written fragments in ``data/survey_fragments.py``. The shape
imitates a municipal resident survey: 3,000 residents aged 16+ sampled, about a quarter
answering on paper or on the web; attributes (年代, 性別, 地区, 世帯構成, 立場), choice
questions, the national direct loneliness question and the UCLA 3-item scale, and three open
questions (自由記述) written from many fragments, with a few planted fake names, phone numbers
and e-mail addresses so that the masking of quotes can be shown.

Files written to ``--out`` (default data/survey):

- ``survey_synthetic.xlsx``: as a municipality exports it: an overview sheet, then the data
  sheet with title rows above the header, merged group headers, Japanese headers with
  full-width digits (問１０), full-width ids (ＳＹＮ－０００１) and Excel dates.
- ``survey_synthetic_cp932.csv``: the same answers as a CP932 (Shift_JIS) CSV with CRLF line
  ends and one title row, as a PC's Excel "CSV (コンマ区切り)" saves it.
- ``labels_survey_synthetic.csv``: what the generator intended for each open answer.
- ``reference_example.csv``: an EXAMPLE comparison table (invented values) in the format the
  ``--reference`` option reads; replace it with published national figures for real use.
- ``SYNTHETIC.md``: the notice.

Usage (from the repository root)::

    python data/generate_survey.py --seed 42 --out data/survey        # the bundled files
    python data/generate_survey.py --seed 7 --n 120 --out /tmp/survey   # a small variant

Every file is byte-identical for the same seed and ``--n`` (the XLSX gets fixed zip timestamps).
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path
from random import Random

from survey_fragments import CLOSINGS, FRAGMENTS, GIVEN, NAMES, NOTHING, OPENERS, PII, SLOT_THEMES, SLOTS

DEFAULT_SEED, DEFAULT_N = 42, 720
XLSX, CSV_NAME, LABELS, REFERENCE, NOTE = (
    "survey_synthetic.xlsx", "survey_synthetic_cp932.csv", "labels_survey_synthetic.csv",
    "reference_example.csv", "SYNTHETIC.md")
FIRST_DAY, DAYS = date(2024, 9, 2), 29
TITLE = "令和6年度 みどり市 つながりと暮らしに関する市民アンケート 回答データ（合成データ）"
SURVEY_NOTE = "調査対象：市内在住の16歳以上の市民3,000人（無作為抽出）　調査期間：令和6年9月2日～9月30日　回答方法：郵送またはWeb"
FAKE_NOTE = "※このファイルは架空の合成データです。実在の人物・回答とは関係ありません。"

AGES = [("16～19歳", 3), ("20歳代", 8), ("30歳代", 11), ("40歳代", 15), ("50歳代", 16), ("60歳代", 18),
        ("70歳代", 19), ("80歳以上", 10)]
GENDERS = [("女性", 54), ("男性", 44), ("その他", 0.5), ("回答しない", 1.5)]
DISTRICTS = [("中央地区", 30), ("北部地区", 22), ("南部地区", 20), ("東部地区", 15), ("西部地区", 10), ("山間地区", 3)]
HOUSEHOLDS = ["一人暮らし", "夫婦のみ", "親と子", "三世代", "その他"]
ROLES = [("一般住民", 72), ("支援者（民生委員・ボランティア等）", 9), ("家族（介護や引きこもり等の家族を支える立場）", 8),
         ("当事者（孤独・孤立を感じている本人）", 11)]
NEIGHBOURS = ["よく付き合っている", "ある程度付き合っている", "あまり付き合っていない", "全く付き合っていない"]
CONFIDANT = ["いる", "いない", "わからない"]
DIRECT = ["しばしばある・常にある", "時々ある", "たまにある", "ほとんどない", "決してない"]
UCLA = ["決してない", "ほとんどない", "時々ある", "常にある"]
PLACES = ["利用している", "知っているが利用していない", "知らない"]
WINDOWS = ["知っている", "名前は聞いたことがある", "知らない"]

GROUPS = [("回答者情報", 3), ("基本属性", 5), ("地域とのつながり", 2), ("孤独感", 4), ("居場所・相談窓口", 2), ("自由記述", 3)]
HEADER = [
    "回答者ID", "回答日", "回答方法", "問１ 年代", "性別", "地区", "問２ 世帯構成", "問４ あなたの立場に最も近いもの",
    "問３ 近所付き合いの程度", "問５ 悩みを相談できる人の有無",
    "問６ あなたはどの程度、孤独であると感じることがありますか",
    "問７（１） あなたは、自分には人とのつきあいがないと感じることがありますか",
    "問７（２） あなたは、自分は取り残されていると感じることがありますか",
    "問７（３） あなたは、自分は他の人たちから孤立していると感じることがありますか",
    "問８ 地域の居場所（サロン・通いの場など）の利用", "問９ 市の孤独・孤立に関する相談窓口を知っていますか",
    "問１０ 孤独・孤立を感じたとき、どのような支援や場があればよいと思いますか（自由記述）",
    "問１１ 地域のつながりや日頃の暮らしで感じていることをご自由にお書きください",
    "問１２ 市の取り組みへのご意見・ご要望（自由記述）",
]
OPEN = {"問10": 16, "問11": 17, "問12": 18}  # question → column index in HEADER

# Question → (probability of any answer, base theme weights).
QUESTIONS = {
    "問10": (0.58, {"ibasho": 5, "kouryu": 3, "access": 4, "mimamori": 3, "info_gap": 2, "digital": 1.5, "ido": 1.5,
                    "stigma": 1.5, "loneliness": 1.5, "family": 1, "money": .5, "health": .5}),
    "問11": (0.46, {"kouryu": 5, "ido": 2.5, "mimamori": 2, "ninaite": 1, "info_gap": 1.5, "loneliness": 2.5,
                    "family": 1.5, "ibasho": 1.5, "health": 1, "work": 1, "money": 1, "positive": 1}),
    "問12": (0.32, {"info_gap": 4, "access": 2.5, "renkei": 1.5, "ninaite": 1, "positive": 2.5, "ido": 2,
                    "digital": 1.5, "ibasho": 1.5}),
}
P_NOTHING, P_PII, P_FULLWIDTH, P_NEWLINE, P_OPENER = 0.16, 0.03, 0.12, 0.1, 0.15


def pick(rng: Random, weighted: list[tuple[str, float]]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def respondent(rng: Random, number: int) -> dict:
    """Attributes, choice answers and the latent loneliness of one synthetic respondent."""
    age = pick(rng, AGES)
    old, young = age in ("70歳代", "80歳以上"), age in ("16～19歳", "20歳代", "30歳代")
    household = pick(rng, [("一人暮らし", 30 if old else 14), ("夫婦のみ", 30 if old or age == "60歳代" else 12),
                           ("親と子", 45 if not old else 25), ("三世代", 8), ("その他", 3)])
    role = pick(rng, ROLES)
    latent = rng.random() * 0.6 + (0.25 if household == "一人暮らし" else 0) + (0.2 if young else 0) \
        + (0.1 if age == "80歳以上" else 0) + (0.35 if role.startswith("当事者") else 0) - (0.1 if role.startswith("支援者") else 0)
    latent = min(max(latent, 0.0), 1.2)
    neighbours = NEIGHBOURS[min(3, max(0, int(latent * 2.6 + rng.random() * 1.6 - 0.3 - (0.6 if old else 0))))]
    confidant = "いない" if rng.random() < latent * 0.35 else ("わからない" if rng.random() < 0.08 else "いる")
    web = rng.random() < (0.75 if young else 0.35 if not old else 0.08)
    return {
        "id": f"SYN-{number:04d}", "day": FIRST_DAY + timedelta(days=min(DAYS - 1, int(rng.expovariate(1 / 8)))),
        "mode": "Web" if web else "紙", "age": age, "gender": pick(rng, GENDERS), "district": pick(rng, DISTRICTS),
        "household": household, "role": role, "neighbours": neighbours, "confidant": confidant, "latent": latent,
        "old": old, "young": young,
    }


def scale_answer(rng: Random, latent: float, scale: list[str], p_blank: float) -> str:
    """A frequency answer: higher latent loneliness → nearer the start of ``scale`` (most often)."""
    if rng.random() < p_blank:
        return ""
    position = (1 - latent) * (len(scale) - 0.2) + rng.gauss(0, 0.7)
    return scale[min(len(scale) - 1, max(0, int(position)))]


def theme_weights(question: str, person: dict) -> dict[str, float]:
    weights = dict(QUESTIONS[question][1])

    def boost(theme: str, factor: float) -> None:
        if theme in weights:
            weights[theme] *= factor

    if person["old"]:
        for theme, factor in (("ido", 3), ("mimamori", 2), ("digital", 1.5), ("health", 2.5)):
            boost(theme, factor)
    if person["young"]:
        for theme, factor in (("access", 2), ("work", 3), ("info_gap", 1.5), ("mimamori", .3), ("health", .3)):
            boost(theme, factor)
    if person["household"] == "一人暮らし":
        for theme, factor in (("loneliness", 2.5), ("mimamori", 1.5), ("kouryu", 1.5)):
            boost(theme, factor)
    role = person["role"]
    if role.startswith("支援者"):
        weights["ninaite"] = weights.get("ninaite", 1) * 5
        weights["renkei"] = weights.get("renkei", 1) * 4
        boost("mimamori", 2)
    elif role.startswith("家族"):
        for theme, factor in (("family", 6), ("stigma", 2), ("access", 1.5)):
            boost(theme, factor)
        weights.setdefault("family", 3)
    elif role.startswith("当事者"):
        for theme, factor in (("loneliness", 3), ("stigma", 2.5), ("ibasho", 1.5)):
            boost(theme, factor)
    if person["district"] == "山間地区":
        boost("ido", 4)
    return weights


def fullwidth(text: str) -> str:
    """ASCII letters and digits to full width, as typed on some Japanese keyboards (Ｗｅｂ, ３回)."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def open_answer(rng: Random, question: str, person: dict) -> tuple[str, str, list[str], str]:
    """(text, status, intended themes, pii kind) of one open answer."""
    p_answer = QUESTIONS[question][0] * (1.15 if person["mode"] == "Web" else 1.0)
    if rng.random() > p_answer:
        return "", "無回答", [], ""
    if rng.random() < P_NOTHING:
        return rng.choice(NOTHING), "特になし", [], ""
    weights = theme_weights(question, person)
    themes: list[str] = []
    for _ in range(rng.choices([1, 2, 3], [55, 35, 10])[0]):
        theme = rng.choices(list(weights), list(weights.values()))[0]
        if theme not in themes:
            themes.append(theme)
    sentences = []
    stated: list[str] = []
    for theme in themes:
        sentence, _, extra = rng.choice(FRAGMENTS[theme]).partition("|")
        stated += [theme, *filter(None, extra.split(","))]
        for slot, values in SLOTS.items():
            if "{" + slot + "}" in sentence:
                value = rng.choice(values)
                sentence = sentence.replace("{" + slot + "}", value)
                stated += [SLOT_THEMES[value]] if value in SLOT_THEMES else []
        ending = rng.choice(["。", "と思います。"]) if sentence.endswith("いい") else "。"
        sentences.append(sentence + ending)
    if rng.random() < P_OPENER:
        sentences[0] = rng.choice(OPENERS) + sentences[0]
    pii = ""
    if rng.random() < P_PII:
        pii, template = rng.choice(PII)
        phone = rng.choice(["090-0000-{:04d}", "080-0000-{:04d}", "０９０－００００－{:04d}"]).format(rng.randrange(10000))
        if phone.startswith("０"):
            phone = fullwidth(phone)
        extra = template.format(name=rng.choice(NAMES), given=rng.choice(GIVEN), phone=phone,
                                email=f"midori{rng.randrange(100, 999)}@example.com")
        sentences.insert(0 if pii == "name" and "申します" in extra else len(sentences), extra)
        if "民生委員" in extra:
            stated.append("mimamori")
    joiner = "\n" if rng.random() < P_NEWLINE else ""
    text = joiner.join(sentences) + rng.choice(CLOSINGS)
    if rng.random() < P_FULLWIDTH:
        text = fullwidth(text)
    return text, "記述あり", list(dict.fromkeys(stated)), pii


def build(seed: int, n: int) -> tuple[list[list], list[list]]:
    rng = Random(seed)
    rows, labels = [], []
    for number in range(1, n + 1):
        person = respondent(rng, number)
        latent = person["latent"]
        direct = scale_answer(rng, latent * 0.95 - 0.05, DIRECT, 0.02)
        ucla = [scale_answer(rng, latent * 0.9 - 0.05 + rng.gauss(0, .1), list(reversed(UCLA)), 0.02) for _ in range(3)]
        place = pick(rng, [("利用している", 12 if person["old"] else 4), ("知っているが利用していない", 40), ("知らない", 30 + 20 * person["young"])])
        window = pick(rng, [("知っている", 18), ("名前は聞いたことがある", 32), ("知らない", 50)])
        answers = {}
        for question in OPEN:
            text, status, themes, pii = open_answer(rng, question, person)
            answers[question] = text
            labels.append([person["id"], question, status, ";".join(themes), "true" if pii else "false"])
        rows.append([
            person["id"], person["day"], person["mode"], person["age"], person["gender"], person["district"],
            person["household"], person["role"], person["neighbours"] if rng.random() > .02 else "",
            person["confidant"] if rng.random() > .02 else "", direct, *ucla, place, window,
            answers["問10"], answers["問11"], answers["問12"],
        ])
    return rows, labels


def write_xlsx(path: Path, rows: list[list]) -> None:
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill

    book = openpyxl.Workbook()
    overview = book.active
    overview.title = "調査概要"
    for r, line in enumerate([TITLE, SURVEY_NOTE, FAKE_NOTE, "", "回答データは「回答データ」シートにあります。"], 1):
        overview.cell(r, 1, line)
    sheet = book.create_sheet("回答データ")
    width = len(HEADER)
    sheet.cell(1, 1, TITLE).font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(2, 1, SURVEY_NOTE)
    sheet.cell(3, 1, FAKE_NOTE)
    column = 1
    fill = PatternFill("solid", fgColor="DDEBF7")
    for group, span in GROUPS:
        cell = sheet.cell(5, column, group)
        cell.font, cell.fill, cell.alignment = Font(bold=True), fill, Alignment(horizontal="center")
        sheet.merge_cells(start_row=5, start_column=column, end_row=5, end_column=column + span - 1)
        column += span
    for c, text in enumerate(HEADER, 1):
        cell = sheet.cell(6, c, text)
        cell.font, cell.fill, cell.alignment = Font(bold=True), fill, Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[openpyxl.utils.get_column_letter(c)].width = 40 if c > 16 else 14
    for r, row in enumerate(rows, 7):
        for c, value in enumerate(row, 1):
            if c == 1:
                value = fullwidth(value).replace("-", "－")
            if c == 2:
                cell = sheet.cell(r, c, datetime(value.year, value.month, value.day))
                cell.number_format = "yyyy/m/d"
                continue
            sheet.cell(r, c, value if value != "" else None)
    sheet.freeze_panes = "B7"
    book.properties.creator = "soudan data/generate_survey.py (synthetic)"
    book.properties.created = datetime(2024, 10, 1)
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(deterministic_zip(buffer.getvalue()))


def deterministic_zip(data: bytes) -> bytes:
    """The same workbook with fixed zip timestamps and modification date, so that a seed gives the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2024-10-01T00:00:00Z", content)
            target.writestr(zipfile.ZipInfo(item.filename, date_time=(2024, 10, 1, 0, 0, 0)), content,
                            compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def csv_bytes(rows: list[list]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([TITLE] + [""] * (len(HEADER) - 1))
    writer.writerow([fullwidth_to_ascii_digits(h) for h in HEADER])
    for row in rows:
        writer.writerow([f"{v:%Y/%m/%d}" if isinstance(v, date) else v for v in row])
    return buffer.getvalue().encode("cp932")


def fullwidth_to_ascii_digits(text: str) -> str:
    return text.translate({0xFF10 + d: ord("0") + d for d in range(10)} | {0xFF08: "(", 0xFF09: ")"})


def reference_bytes() -> bytes:
    """An EXAMPLE reference table in the format ``soudan survey --reference`` reads (invented values)."""
    source = "例示用の架空の値（比較には全国調査などの公表値を入れてください）"
    lines = [["設問", "性別", "年代", "回答", "割合(%)", "出典"]]
    overall = [4.5, 15.0, 20.0, 38.5, 20.5, 1.5]
    for answer, share in zip(DIRECT + ["無回答"], overall):
        lines.append(["直接質問", "全体", "全体", answer, f"{share:.1f}", source])
    by_age = {"20代": [7.0, 18.0, 22.0], "30代": [6.0, 17.0, 21.0], "40代": [5.0, 16.0, 21.0], "50代": [5.0, 15.0, 20.0],
              "60代": [3.5, 13.0, 19.0], "70代": [3.0, 12.0, 19.0], "80代以上": [4.0, 14.0, 18.0]}
    for age, shares in by_age.items():
        for answer, share in zip(DIRECT[:3], shares):
            lines.append(["直接質問", "全体", age, answer, f"{share:.1f}", source])
    for gender, shares in {"女性": [4.6, 15.5, 20.5], "男性": [4.4, 14.5, 19.5]}.items():
        for answer, share in zip(DIRECT[:3], shares):
            lines.append(["直接質問", gender, "全体", answer, f"{share:.1f}", source])
    for band, share in zip(["3点", "4～6点", "7～9点", "10～12点", "無回答"], [22.0, 45.0, 25.0, 6.5, 1.5]):
        lines.append(["UCLA", "全体", "全体", band, f"{share:.1f}", source])
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows(lines)
    return buffer.getvalue().encode("utf-8-sig")


def note(seed: int, n: int) -> str:
    return (
        "# SYNTHETIC DATA — 合成データ（架空）\n\n"
        f"Every file in this folder was generated by `data/generate_survey.py --seed {seed} --n {n}`.\n"
        "みどり市 is fictional; no respondent, answer, name, phone number or e-mail address is real\n"
        "(names are common surnames, phones use the 0000 exchange, e-mail the example.com domain).\n"
        "`reference_example.csv` holds INVENTED example shares in the reference-table format; it is\n"
        "not the national survey. すべて架空のデータです。\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--n", type=int, default=DEFAULT_N, help="respondents")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "survey")
    args = parser.parse_args(argv)
    rows, labels = build(args.seed, args.n)
    args.out.mkdir(parents=True, exist_ok=True)
    write_xlsx(args.out / XLSX, rows)
    (args.out / CSV_NAME).write_bytes(csv_bytes(rows))
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["respondent_id", "question", "status", "themes", "has_pii"])
    writer.writerows(labels)
    (args.out / LABELS).write_bytes(buffer.getvalue().encode("utf-8"))
    (args.out / REFERENCE).write_bytes(reference_bytes())
    (args.out / NOTE).write_text(note(args.seed, args.n), encoding="utf-8")
    answered = sum(label[2] == "記述あり" for label in labels)
    print(f"{args.n} respondents, {answered} substantive open answers → {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
