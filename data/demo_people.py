"""Who writes to the SYNTHETIC demo chat, and when: volume shape and persona attributes.

The calendar (month, weekday and hour weights, FY2024 growth, the 熊本県 summer campaign), the
prefecture weights and cities, the age, gender, occupation and register draws, and the
occupation-based theme weights. Used by data/generate_demo.py, which draws every value from its
one ``random.Random``; the call order here is part of what makes a seed give the same files.
"""

from __future__ import annotations

from datetime import date, timedelta
from random import Random

FIRST_DAY, LAST_DAY = date(2023, 4, 1), date(2025, 3, 31)

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
# Register shares (polite, casual, youth) by age band; other bands (.7, .3, 0).
REGISTER_BY_AGE = {"10代未満": (.15, .35, .5), "10代": (.15, .35, .5), "20代": (.35, .4, .25),
                   "60代": (.85, .15, 0), "70代": (.85, .15, 0), "80代以上": (.85, .15, 0)}


def pick(rng: Random, weights: dict) -> str:
    """One key of ``weights`` drawn with probability proportional to its value."""
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def draw_calendar(rng: Random, n: int) -> list[tuple[date, int, int]]:
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


def draw_persona(rng: Random, day: date) -> dict[str, str]:
    """Attributes of one client: prefecture (campaign-aware), age band, gender, occupation, register."""
    campaign = CAMPAIGN[0] <= day <= CAMPAIGN[1]
    pref_w = dict(PREFECTURE_WEIGHT)
    if campaign:
        pref_w["熊本県"] *= CAMPAIGN_KUMAMOTO
    pref = "不明" if rng.random() < P_PREFECTURE_UNKNOWN else pick(rng, pref_w)
    age_w = dict(AGE_WEIGHT)
    if campaign and pref == "熊本県":
        age_w["10代"] *= CAMPAIGN_TEEN
    age = pick(rng, age_w)
    gender = pick(rng, GENDER_WEIGHT)
    occ_w = dict(OCCUPATION_BY_AGE[age])
    if gender == "男性" and "主婦・主夫" in occ_w:
        occ_w["主婦・主夫"] *= .12
    occupation = pick(rng, occ_w)
    polite, casual, youth = REGISTER_BY_AGE.get(age, (.7, .3, 0))
    register = pick(rng, {"polite": polite, "casual": casual, "youth": youth})
    shown_pref = pref
    if pref not in ("不明", "北海道") and rng.random() < P_NO_SUFFIX:
        shown_pref = pref[:-1]  # 熊本県 → 熊本, 東京都 → 東京, 大阪府 → 大阪
    municipality = "不明"
    if pref != "不明" and rng.random() >= P_MUNICIPALITY_UNKNOWN:
        cities = MUNICIPALITIES[pref]
        municipality = rng.choices(cities, weights=[3] + [1] * (len(cities) - 1))[0]
    return {"age": age, "gender": gender, "occupation": occupation, "prefecture": shown_pref,
            "municipality": municipality, "register": register}


def theme_weights(p: dict[str, str]) -> dict[str, float]:
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
