"""The data contract of DESIGN.md in one place: column names, category values and their order."""

from __future__ import annotations

INPUT_COLUMNS = [
    "consultation_id", "started_at", "text", "role", "age_band", "age", "gender",
    "occupation", "prefecture", "municipality",
]
REQUIRED_INPUT_COLUMNS = ["consultation_id", "started_at", "text"]

# Japanese headers recognised without a mapping file (DESIGN.md, Input).
HEADER_ALIASES: dict[str, str] = {
    "相談ID": "consultation_id", "相談id": "consultation_id", "ID": "consultation_id", "id": "consultation_id",
    "相談日時": "started_at", "日時": "started_at", "開始日時": "started_at", "time": "started_at",
    "相談内容": "text", "本文": "text", "内容": "text", "メッセージ": "text", "utterance": "text",
    "発言者": "role", "話者": "role",
    "年代": "age_band", "年齢": "age", "性別": "gender", "職業": "occupation",
    "都道府県": "prefecture", "市区町村": "municipality",
}

AGE_BANDS = ["10代未満", "10代", "20代", "30代", "40代", "50代", "60代", "70代", "80代以上", "不明"]
GENDERS = ["女性", "男性", "その他", "不明"]
WEEKDAYS = ["月", "火", "水", "木", "金", "土", "日"]  # Monday first, as datetime.weekday()
HOURS = list(range(24))
UNKNOWN = "不明"

PREFECTURES = [
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県",
    "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県",
    "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県",
    "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県",
    "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
]

IDEATION_STRENGTHS = ["強い", "少し", "なし"]

# consultations.parquet, in this order (DESIGN.md, Output). "text" only with --keep-text.
CONSULTATION_COLUMNS = [
    "consultation_id", "started_at", "month", "weekday", "hour", "age_band", "gender",
    "occupation", "prefecture", "municipality", "n_chars", "themes", "primary_theme",
    "theme_evidence", "ideation_level", "ideation_strength", "past_attempt", "third_party",
    "self_harm", "ideation_evidence",
]
