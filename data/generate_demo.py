"""Seeded generator of SYNTHETIC demo chat consultations (message level) for soudan.

Nothing here is real: every consultation, attribute and message is drawn from random numbers
and the hand-written fragments in ``data/fragments.py``. The shape imitates what public
reports on chat counselling describe (more in August, on Sundays and at 22–23時; 10代 and 20代
most; women more than men; all 47 prefectures, uneven), so the pipeline has something
realistic to count.

Usage (from the repository root)::

    python data/generate_demo.py --seed 42 --out data/demo          # the bundled files
    python data/generate_demo.py --seed 7 --n 200 --out /tmp/demo   # a small variant

The same seed and ``--n`` always give byte-identical files (one ``random.Random(seed)``).
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from datetime import date, timedelta
from pathlib import Path
from random import Random

import fragments as F  # noqa: N812  (data/ is on sys.path when run as a script)

DEFAULT_SEED = 42
DEFAULT_N = 3000
FIRST_DAY, LAST_DAY = date(2023, 4, 1), date(2025, 3, 31)
CSV_NAME, LABELS_NAME, NOTE_NAME = "consultations_synthetic.csv", "labels_synthetic.csv", "SYNTHETIC.md"
ID_PREFIX = "SYN-"
HEADER = ["相談ID", "相談日時", "発言者", "相談内容", "年代", "性別", "職業", "都道府県", "市区町村"]
LABEL_HEADER = ["consultation_id", "primary_theme", "sub_theme", "themes", "ideation_level",
                "ideation_strength", "trap", "has_pii"]
CLIENT, COUNSELOR = "相談者", "相談員"

# ------------------------------------------------------------------------- volume shape
MONTH_WEIGHT = {4: .95, 5: 1.0, 6: .95, 7: 1.1, 8: 1.55, 9: 1.2, 10: .95, 11: .9, 12: 1.0, 1: 1.0, 2: .9, 3: 1.05}
WEEKDAY_WEIGHT = [1.05, .95, .95, .95, .95, 1.1, 1.4]  # 月 … 日
HOUR_WEIGHT = [.7, .45, .3, .2, .12, .1, .12, .18, .25, .3, .35, .38, .42, .42, .42, .5, .6, .7,
               .8, .95, 1.15, 1.35, 1.75, 1.65]
SECOND_YEAR_GROWTH = 1.12  # FY2024 a little busier than FY2023, so year over year shows something
CAMPAIGN = (date(2024, 7, 1), date(2024, 8, 31))  # summer campaign in 熊本県
CAMPAIGN_VOLUME, CAMPAIGN_KUMAMOTO, CAMPAIGN_TEEN = 1.1, 5.0, 1.8

# Population in millions (rounded), then a few local multipliers: uneven on purpose.
PREFECTURE_WEIGHT = {
    "北海道": 5.2, "青森県": 1.24, "岩手県": 1.21, "宮城県": 2.3, "秋田県": .96, "山形県": 1.07,
    "福島県": 1.83, "茨城県": 2.87, "栃木県": 1.93, "群馬県": 1.94, "埼玉県": 7.34, "千葉県": 6.28,
    "東京都": 15.4, "神奈川県": 9.24, "新潟県": 2.2, "富山県": 1.03, "石川県": 1.13, "福井県": .77,
    "山梨県": .81, "長野県": 2.05, "岐阜県": 1.98, "静岡県": 3.63, "愛知県": 7.54, "三重県": 1.77,
    "滋賀県": 1.41, "京都府": 2.58, "大阪府": 8.84, "兵庫県": 5.47, "奈良県": 1.32, "和歌山県": .92,
    "鳥取県": .55, "島根県": .67, "岡山県": 1.89, "広島県": 2.8, "山口県": 1.34, "徳島県": .72,
    "香川県": .95, "愛媛県": 1.33, "高知県": .69, "福岡県": 5.14, "佐賀県": .81, "長崎県": 1.31,
    "熊本県": 3.1, "大分県": 1.12, "宮崎県": 1.07, "鹿児島県": 1.59, "沖縄県": 1.9,
}
MUNICIPALITIES = {
    "北海道": ["札幌市", "旭川市", "函館市"], "青森県": ["青森市", "八戸市", "弘前市"], "岩手県": ["盛岡市", "一関市"],
    "宮城県": ["仙台市", "石巻市"], "秋田県": ["秋田市", "横手市"], "山形県": ["山形市", "米沢市"],
    "福島県": ["福島市", "郡山市", "いわき市"], "茨城県": ["水戸市", "つくば市"], "栃木県": ["宇都宮市", "小山市"],
    "群馬県": ["前橋市", "高崎市"], "埼玉県": ["さいたま市", "川口市", "所沢市"], "千葉県": ["千葉市", "船橋市", "柏市"],
    "東京都": ["新宿区", "世田谷区", "八王子市", "練馬区"], "神奈川県": ["横浜市", "川崎市", "相模原市"],
    "新潟県": ["新潟市", "長岡市"], "富山県": ["富山市", "高岡市"], "石川県": ["金沢市", "白山市"],
    "福井県": ["福井市", "坂井市"], "山梨県": ["甲府市", "富士吉田市"], "長野県": ["長野市", "松本市"],
    "岐阜県": ["岐阜市", "大垣市"], "静岡県": ["静岡市", "浜松市"], "愛知県": ["名古屋市", "豊田市", "岡崎市"],
    "三重県": ["津市", "四日市市"], "滋賀県": ["大津市", "草津市"], "京都府": ["京都市", "宇治市"],
    "大阪府": ["大阪市", "堺市", "東大阪市"], "兵庫県": ["神戸市", "姫路市", "西宮市"], "奈良県": ["奈良市", "橿原市"],
    "和歌山県": ["和歌山市", "田辺市"], "鳥取県": ["鳥取市", "米子市"], "島根県": ["松江市", "出雲市"],
    "岡山県": ["岡山市", "倉敷市"], "広島県": ["広島市", "福山市"], "山口県": ["山口市", "下関市"],
    "徳島県": ["徳島市", "阿南市"], "香川県": ["高松市", "丸亀市"], "愛媛県": ["松山市", "今治市"],
    "高知県": ["高知市", "南国市"], "福岡県": ["福岡市", "北九州市", "久留米市"], "佐賀県": ["佐賀市", "唐津市"],
    "長崎県": ["長崎市", "佐世保市"], "熊本県": ["熊本市", "八代市", "天草市", "合志市"], "大分県": ["大分市", "別府市"],
    "宮崎県": ["宮崎市", "都城市"], "鹿児島県": ["鹿児島市", "霧島市"], "沖縄県": ["那覇市", "沖縄市", "浦添市"],
}
P_PREFECTURE_UNKNOWN, P_NO_SUFFIX, P_MUNICIPALITY_UNKNOWN = .04, .15, .35

# ------------------------------------------------------------------------- attributes
AGE_WEIGHT = {"10代未満": .01, "10代": .30, "20代": .27, "30代": .13, "40代": .11, "50代": .07,
              "60代": .035, "70代": .015, "80代以上": .006, "不明": .045}
GENDER_WEIGHT = {"女性": .63, "男性": .29, "その他": .03, "不明": .05}
STUDENTS = ("小学生", "中学生", "高校生")
OCCUPATION_BY_AGE = {
    "10代未満": {"小学生": .95, "不明": .05},
    "10代": {"小学生": .03, "中学生": .38, "高校生": .42, "大学生": .05, "パート・アルバイト": .04, "無職": .04,
            "会社員": .01, "不明": .03},
    "20代": {"大学生": .22, "会社員": .33, "パート・アルバイト": .16, "無職": .12, "主婦・主夫": .05, "自営業": .02,
            "不明": .10},
    "30代": {"会社員": .38, "パート・アルバイト": .16, "主婦・主夫": .18, "無職": .12, "自営業": .05, "不明": .11},
    "40代": {"会社員": .35, "パート・アルバイト": .18, "主婦・主夫": .20, "無職": .11, "自営業": .06, "不明": .10},
    "50代": {"会社員": .30, "パート・アルバイト": .18, "主婦・主夫": .20, "無職": .15, "自営業": .07, "不明": .10},
    "60代": {"会社員": .10, "パート・アルバイト": .15, "主婦・主夫": .25, "無職": .35, "自営業": .07, "不明": .08},
    "70代": {"主婦・主夫": .30, "無職": .55, "自営業": .03, "不明": .12},
    "80代以上": {"主婦・主夫": .30, "無職": .55, "自営業": .03, "不明": .12},
    "不明": {"中学生": .05, "高校生": .07, "大学生": .05, "会社員": .15, "パート・アルバイト": .10, "主婦・主夫": .08,
           "無職": .10, "不明": .40},
}
_STUDENT_THEMES = {"school": .42, "family": .16, "relationships": .08, "mental": .07, "romance": .06,
                   "internet": .06, "career": .03, "loneliness": .05, "violence": .04, "gender": .02, "health": .02}
THEME_BY_OCCUPATION = {
    **{s: _STUDENT_THEMES for s in STUDENTS},
    "大学生": {"school": .10, "career": .17, "mental": .15, "romance": .13, "relationships": .10, "money": .07,
            "loneliness": .10, "family": .08, "internet": .05, "gender": .03, "health": .02},
    "会社員": {"work": .36, "mental": .15, "couple": .07, "family": .06, "money": .05, "romance": .06,
            "relationships": .06, "loneliness": .07, "career": .06, "health": .04, "internet": .02},
    "パート・アルバイト": {"work": .22, "money": .17, "family": .12, "mental": .12, "couple": .08, "loneliness": .10,
                    "relationships": .07, "romance": .05, "health": .04, "career": .03},
    "主婦・主夫": {"family": .32, "couple": .27, "mental": .10, "loneliness": .10, "violence": .06, "money": .05,
              "health": .05, "relationships": .05},
    "無職": {"mental": .22, "money": .19, "loneliness": .18, "family": .12, "career": .10, "health": .09,
           "couple": .04, "relationships": .04, "violence": .02},
    "自営業": {"money": .27, "work": .20, "mental": .13, "family": .10, "couple": .08, "health": .08,
            "loneliness": .08, "relationships": .06},
    "不明": {"mental": .18, "loneliness": .14, "family": .12, "relationships": .10, "money": .08, "work": .08,
           "couple": .06, "romance": .06, "school": .06, "health": .05, "internet": .04, "violence": .04,
           "career": .03, "gender": .02},
}
IDEATION_BASE = .135
IDEATION_THEME = {"mental": 1.6, "loneliness": 1.5, "violence": 1.4, "school": 1.15, "money": 1.1, "work": 1.0,
                  "family": 1.0, "internet": 1.0, "couple": .9, "romance": .9}
IDEATION_AGE = {"10代未満": .5, "10代": 1.25, "20代": 1.2, "30代": 1.0, "40代": .9, "50代": .8, "60代": .6,
                "70代": .6, "80代以上": .6, "不明": 1.0}
IDEATION_LEVEL_WEIGHT = {1: .55, 2: .20, 3: .15, 4: .10}
P_STRENGTH_MARKER, P_TRAP, P_PII = .35, .13, .09
TRAP_WEIGHT = {"negation": .30, "hyperbole": .35, "third_party": .15, "past": .12, "past_attempt": .08}
REGISTER_BY_AGE = {"10代未満": (.15, .35, .5), "10代": (.15, .35, .5), "20代": (.35, .4, .25),
                   "60代": (.85, .15, 0), "70代": (.85, .15, 0), "80代以上": (.85, .15, 0)}  # polite, casual, youth
N_CLIENT_WEIGHT = {3: .20, 4: .22, 5: .20, 6: .15, 7: .12, 8: .11}

_SLOT = re.compile(r"\{(\w+)\}")
_END_PUNCT = ("。", "…", "？", "?", "！", "!", "ｗ", "笑", "🙏")


def _pick(rng: Random, weights: dict) -> str:
    """One key of ``weights`` drawn with probability proportional to its value."""
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _calendar(rng: Random, n: int) -> list[tuple[date, int, int]]:
    """n (day, hour, minute) draws, sorted, with the month, weekday, hour and campaign shape."""
    days, weights, day = [], [], FIRST_DAY
    while day <= LAST_DAY:
        w = MONTH_WEIGHT[day.month] * WEEKDAY_WEIGHT[day.weekday()]
        w *= SECOND_YEAR_GROWTH if day >= date(2024, 4, 1) else 1.0
        w *= CAMPAIGN_VOLUME if CAMPAIGN[0] <= day <= CAMPAIGN[1] else 1.0
        days.append(day)
        weights.append(w)
        day += timedelta(days=1)
    picked = rng.choices(days, weights=weights, k=n)
    hours = rng.choices(range(24), weights=HOUR_WEIGHT, k=n)
    return sorted((d, h, rng.randrange(60)) for d, h in zip(picked, hours))


def _persona(rng: Random, day: date) -> dict[str, str]:
    """Attributes of one client: prefecture (campaign-aware), age band, gender, occupation, register."""
    campaign = CAMPAIGN[0] <= day <= CAMPAIGN[1]
    pref_w = dict(PREFECTURE_WEIGHT)
    if campaign:
        pref_w["熊本県"] *= CAMPAIGN_KUMAMOTO
    pref = "不明" if rng.random() < P_PREFECTURE_UNKNOWN else _pick(rng, pref_w)
    age_w = dict(AGE_WEIGHT)
    if campaign and pref == "熊本県":
        age_w["10代"] *= CAMPAIGN_TEEN
    age = _pick(rng, age_w)
    gender = _pick(rng, GENDER_WEIGHT)
    occ_w = dict(OCCUPATION_BY_AGE[age])
    if gender == "男性" and "主婦・主夫" in occ_w:
        occ_w["主婦・主夫"] *= .12
    occupation = _pick(rng, occ_w)
    polite, casual, youth = REGISTER_BY_AGE.get(age, (.7, .3, 0))
    register = _pick(rng, {"polite": polite, "casual": casual, "youth": youth})
    shown_pref = pref
    if pref not in ("不明", "北海道") and rng.random() < P_NO_SUFFIX:
        shown_pref = pref[:-1]  # 熊本県 → 熊本, 東京都 → 東京, 大阪府 → 大阪
    municipality = "不明"
    if pref != "不明" and rng.random() >= P_MUNICIPALITY_UNKNOWN:
        cities = MUNICIPALITIES[pref]
        municipality = rng.choices(cities, weights=[3] + [1] * (len(cities) - 1))[0]
    return {"age": age, "gender": gender, "occupation": occupation, "prefecture": shown_pref,
            "municipality": municipality, "register": register}


def _theme_weights(p: dict[str, str]) -> dict[str, float]:
    """Primary-theme weights for a persona: occupation first, then age and gender adjustments."""
    w = dict(THEME_BY_OCCUPATION[p["occupation"]])
    if p["gender"] == "その他":
        w["gender"] = w.get("gender", .02) * 6
    if p["gender"] == "女性":
        for t in ("couple", "violence"):
            if t in w:
                w[t] *= 1.2
    if p["age"] in ("60代", "70代", "80代以上"):
        w["health"] = w.get("health", .04) * 2.5
        w["loneliness"] = w.get("loneliness", .05) * 1.6
        w.pop("romance", None)
        w.pop("school", None)
    if p["occupation"] == "小学生":
        w.pop("romance", None)
    if p["occupation"] == "高校生":
        w["career"] *= 3
    return w


def _young(p: dict[str, str]) -> bool:
    return p["occupation"] in STUDENTS or p["age"] in ("10代未満", "10代")


def _fits(template: str, young: bool) -> bool:
    """Templates tagged ``Y:`` are for young writers only, ``A:`` for adults only."""
    return not (template.startswith("Y:") and not young or template.startswith("A:") and young)


def _usable(templates: list[str], p: dict[str, str]) -> list[str]:
    young = _young(p)
    return [t.removeprefix("Y:").removeprefix("A:") for t in templates if _fits(t, young)]


def _family_sub(p: dict[str, str]) -> dict[str, float]:
    if _young(p):
        return {"親": 1}
    if p["age"] in ("20代", "不明"):
        return {"実家": .5, "子育て": .35, "義母": .1, "介護": .05}
    if p["age"] in ("30代", "40代"):
        return {"子育て": .4, "実家": .2, "介護": .2, "義母": .2}
    if p["age"] == "50代":
        return {"介護": .35, "成人した子": .35, "実家": .15, "義母": .15}
    return {"成人した子": .55, "介護": .45}


def _sub_theme(rng: Random, theme: str, p: dict[str, str]) -> str:
    """A sub-theme that fits the persona (students: 親, not 子育て; teens: 虐待, not DV …)."""
    occ = p["occupation"]
    if theme == "family":
        return _pick(rng, _family_sub(p))
    allowed = {
        "violence": ["虐待", "被害"] if _young(p) else ["DV", "DV", "DV", "被害", "虐待"],
        "career": ["進路"] if occ in STUDENTS else ["就活", "進路"] if occ == "大学生" else ["転職", "転職", "進路", "就活"],
        "school": ["友達", "不登校", "成績・受験"] if occ == "大学生" else list(F.THEMES["school"]),
    }.get(theme, list(F.THEMES[theme]))
    return rng.choice(allowed)


def _slots(rng: Random, p: dict[str, str]) -> dict[str, list[str]]:
    """Slot table for one consultation: persona choices are fixed once, so a story stays coherent."""
    g = p["gender"]
    fixed = {
        "I": rng.choice(F.FIRST_PERSON[g]), "partner": rng.choice(F.PARTNER[g]), "lover": rng.choice(F.LOVER[g]),
        "parent": rng.choice(F.PARENT), "fm": rng.choice(F.FAMILY_MEMBER), "sw": rng.choice(F.SCHOOL_WHO),
        "wp": rng.choice(F.WORKPLACE.get(p["occupation"], F.WORKPLACE["default"])),
        "mail": rng.choice(F.MAIL_PARTS) + str(rng.randrange(10, 100)), "d4": f"{rng.randrange(10000):04d}",
    }
    table = {k: [v] for k, v in fixed.items()}
    table.update(F.GLOBAL_SLOTS)
    return table


def _fill(rng: Random, template: str, table: dict[str, list[str]]) -> str:
    return _SLOT.sub(lambda m: rng.choice(table[m.group(1)]), template)


def _render(rng: Random, template: str, kind: str, table: dict, register: str) -> str:
    """One sentence: slots filled, register ending for cores, colloquial noise, emoji."""
    text = _fill(rng, template, table)
    style = "polite" if register == "polite" or (register == "casual" and rng.random() < .2) else "casual"
    if register != "polite" and kind in ("theme", "feel", "opener", "closing", "pii") and rng.random() < .5:
        for old, new in F.COLLOQUIAL:
            if old in text and (style == "casual" or "ねぇ" not in new) and rng.random() < .7:
                text = text.replace(old, new)
    if text.endswith("~"):
        text = text[:-1] + rng.choice(F.ENDINGS[style])
    elif not text.endswith(_END_PUNCT):
        text += rng.choice(["", "。", "…", "", "。"] if kind != "ideation" else ["", "。", "…", "…", "。。"])
    if register == "youth" and kind in ("theme", "feel") and rng.random() < .15:
        text = rng.choice(F.YOUTH_WORDS) + text
    p_deco = {"youth": .3, "casual": .1, "polite": .03}[register]
    if rng.random() < p_deco:
        text += rng.choice(F.DECORATIONS["glad" if kind == "closing" else "sad"])
    return text


def _join(rng: Random, a: str, b: str) -> str:
    if a.endswith(_END_PUNCT) or a.endswith(("、", "し", "けど", "…", "が…")):
        return a + b
    return a + rng.choice(["。", "。", "、", " ", "…"]) + b


def _consultation(rng: Random, p: dict[str, str], hour: int) -> tuple[list[tuple[str, str]], dict]:
    """Rows (role, text) of one consultation and its intended labels."""
    table = _slots(rng, p)
    weights = _theme_weights(p)
    primary = _pick(rng, weights)
    sub = _sub_theme(rng, primary, p)
    themes = [primary]
    n_client = int(_pick(rng, N_CLIENT_WEIGHT))

    pool = _usable(F.THEMES[primary][sub], p)
    body: list[tuple[str, str]] = [("theme", t) for t in rng.sample(pool, min(len(pool), rng.randint(1, 3)))]
    for _ in range(rng.randint(1, 2)):
        body.insert(rng.randint(1, len(body)), ("feel", rng.choice(F.FEELINGS)))
    if rng.random() < .45:
        rest = {t: w for t, w in weights.items() if t != primary}
        second = _pick(rng, rest)
        themes.append(second)
        pool2 = _usable(F.THEMES[second][_sub_theme(rng, second, p)], p)
        body.insert(rng.randint(1, len(body)), ("theme", rng.choice(pool2)))

    p_ideation = IDEATION_BASE * IDEATION_THEME.get(primary, .6) * IDEATION_AGE[p["age"]]
    level, strength = 0, "なし"
    if rng.random() < p_ideation:
        level = int(_pick(rng, IDEATION_LEVEL_WEIGHT))
        marker = rng.choice(F.STRENGTH_MARKERS) if level <= 2 and rng.random() < P_STRENGTH_MARKER else ""
        strength = "強い" if marker or level >= 3 else "少し"
        text = rng.choice(F.IDEATION[level]).replace("{s}", marker)
        prefix = rng.choice(F.IDEATION_PREFIXES)
        if marker and prefix in ("もう", "時々"):  # not もうもうずっと, not 時々ずっと
            prefix = ""
        body.insert(rng.randint(1, len(body)), ("ideation", prefix + text))
    trap = ""
    if rng.random() < P_TRAP:
        # A chat that states current ideation does not also deny it or call it over.
        trap = _pick(rng, TRAP_WEIGHT if not level else {"hyperbole": .7, "third_party": .3})
        body.insert(rng.randint(0, len(body)), ("trap", rng.choice(F.TRAPS[trap])))
    has_pii = rng.random() < P_PII
    if has_pii:
        body.insert(rng.randint(0, len(body)), ("pii", rng.choice(_usable(F.PII, p))))
    if rng.random() < .8:
        body.insert(0, ("opener", rng.choice(F.OPENERS)))
    if rng.random() < .55:
        body.append(("closing", rng.choice(F.CLOSINGS)))

    # (kind, client text, counselor row before it or "")
    msgs = [(kind, _render(rng, t, kind, table, p["register"]), "") for kind, t in body]
    while len(msgs) > n_client:
        j = rng.randrange(len(msgs) - 1)
        kind = msgs[j][0] if msgs[j][0] in ("ideation", "trap") else msgs[j + 1][0]
        msgs[j:j + 2] = [(kind, _join(rng, msgs[j][1], msgs[j + 1][1]), msgs[j][2])]
    first_theme = next((i for i, m in enumerate(msgs) if m[0] in ("theme", "ideation")), 0)
    while len(msgs) < n_client:
        if rng.random() < .7:
            question, answers = rng.choice(F.QUESTIONS)
            turn = ("short", rng.choice(answers), question)
        else:
            turn = ("short", rng.choice(F.ACKS), rng.choice(F.REPLIES))
        msgs.insert(rng.randint(first_theme + 1, len(msgs)), turn)

    tod = "おはようございます" if 5 <= hour <= 10 else "こんにちは" if 11 <= hour <= 17 else "こんばんは"
    greeting = _fill(rng, rng.choice(F.GREETINGS), {"tod": [tod], "line": F.COUNSELOR_LINES})
    rows = [(COUNSELOR, greeting)]
    said = [i for i, m in enumerate(msgs[:-1]) if m[0] in ("theme", "feel", "trap", "pii")] or [0]
    after = set(rng.sample(said, min(len(said), rng.choice([1, 1, 2]))))
    for i, (kind, text, pre) in enumerate(msgs):
        if pre:
            rows.append((COUNSELOR, pre))
        rows.append((CLIENT, text))
        follows = msgs[i + 1][2] if i + 1 < len(msgs) else ""
        if kind == "ideation":
            rows.append((COUNSELOR, rng.choice(F.REPLIES_SELF_HARM if level == 4 else F.REPLIES_IDEATION)))
        elif i in after and not follows:
            rows.append((COUNSELOR, rng.choice(F.REPLIES)))
    if rows[-1][0] == CLIENT and rng.random() < .45:
        rows.append((COUNSELOR, rng.choice(F.CLOSINGS_COUNSELOR)))
    rows = _unique_rows(rng, rows)
    labels = {"primary_theme": primary, "sub_theme": sub, "themes": ";".join(themes), "ideation_level": level,
              "ideation_strength": strength, "trap": trap, "has_pii": has_pii}
    return rows, labels


def _unique_rows(rng: Random, rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """No (role, text) twice in one chat: an export repeats the start time on every row, so an
    ingester may take a repeated row for a duplicate. A repeated counselor row is dropped, a
    repeated client message becomes an unused short acknowledgement."""
    seen: set[tuple[str, str]] = set()
    out = []
    for role, text in rows:
        if (role, text) in seen:
            if role == COUNSELOR:
                continue
            text = rng.choice([a for a in F.ACKS if (CLIENT, a) not in seen])
        seen.add((role, text))
        out.append((role, text))
    return out


def generate(seed: int = DEFAULT_SEED, n: int = DEFAULT_N) -> tuple[list[list[str]], list[list[str]]]:
    """Draw ``n`` synthetic consultations.

    Args:
        seed: seed of the single ``random.Random`` every draw comes from.
        n: number of consultations (each becomes 4–12 message rows).

    Returns:
        (message rows in ``HEADER`` order, label rows in ``LABEL_HEADER`` order).
    """
    if n < 1:
        raise ValueError(f"The 'n' parameter must be a positive integer. Got {n!r}.")
    rng = Random(seed)
    width = max(5, len(str(n)))
    rows, labels = [], []
    for i, (day, hour, minute) in enumerate(_calendar(rng, n), start=1):
        cid = f"{ID_PREFIX}{i:0{width}d}"
        when = f"{day:%Y/%m/%d} {hour:02d}:{minute:02d}"
        p = _persona(rng, day)
        messages, lab = _consultation(rng, p, hour)
        attrs = [p["age"], p["gender"], p["occupation"], p["prefecture"], p["municipality"]]
        rows.extend([cid, when, role, text, *attrs] for role, text in messages)
        labels.append([cid] + [str(lab[k]).lower() if isinstance(lab[k], bool) else str(lab[k])
                               for k in LABEL_HEADER[1:]])
    return rows, labels


def _csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _note(seed: int, n: int, n_rows: int) -> str:
    return (
        "# SYNTHETIC DATA — 架空のデモデータ\n\n"
        f"`{CSV_NAME}` and `{LABELS_NAME}` are synthetic: generated by `data/generate_demo.py "
        f"--seed {seed} --n {n}` from random numbers and hand-written sentence fragments.\n"
        "No real consultation, person or place of residence is described. Names (佐藤さん …), phone\n"
        "numbers (0X0-0000-XXXX) and e-mail addresses (@example.com) are fake, to demonstrate masking.\n\n"
        "すべて架空の相談です。実在の相談・人物とは関係ありません。\n"
        "相談IDの接頭辞 `SYN-` は、各行が合成データであることを示します。\n\n"
        f"- consultations: {n}\n- message rows: {n_rows}\n"
    )


def write_demo(out_dir: Path, seed: int = DEFAULT_SEED, n: int = DEFAULT_N) -> dict[str, Path]:
    """Generate and write the demo files.

    Args:
        out_dir: directory to write into (created if missing).
        seed: random seed; the same seed and n give byte-identical files.
        n: number of consultations.

    Returns:
        {"messages": csv path, "labels": labels csv path, "note": SYNTHETIC.md path}.
    """
    rows, labels = generate(seed, n)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"messages": out_dir / CSV_NAME, "labels": out_dir / LABELS_NAME, "note": out_dir / NOTE_NAME}
    paths["messages"].write_bytes(_csv_bytes(HEADER, rows))
    paths["labels"].write_bytes(_csv_bytes(LABEL_HEADER, labels))
    paths["note"].write_bytes(_note(seed, n, len(rows)).encode("utf-8"))
    return paths


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python data/generate_demo.py --seed 42 --out data/demo [--n 3000]``."""
    parser = argparse.ArgumentParser(description="Generate the SYNTHETIC demo chat consultations.")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default 42)")
    parser.add_argument("--n", type=int, default=DEFAULT_N, help="number of consultations (default 3000)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "demo",
                        help="output directory (default data/demo)")
    args = parser.parse_args(argv)
    try:
        paths = write_demo(args.out, args.seed, args.n)
    except ValueError as exc:
        parser.error(str(exc))
    for path in paths.values():
        print(f"{path}  {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
