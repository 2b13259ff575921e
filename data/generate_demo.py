"""Seeded generator of SYNTHETIC demo chat consultations (message level) for soudan.

Nothing here is real: every consultation, attribute and message is drawn from random numbers
and the hand-written fragments in ``data/fragments.py`` and ``data/fragments_themes.py``; who
writes and when (calendar, prefecture, age, occupation) is drawn in ``data/demo_people.py``.
The shape imitates what public reports on chat counselling describe (more in August, on
Sundays and at 22–23時; 10代 and 20代 most; women more than men; all 47 prefectures, uneven),
so the pipeline has something realistic to count.

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
from pathlib import Path
from random import Random

import fragments as F  # noqa: N812  (data/ is on sys.path when run as a script)
from demo_people import STUDENTS, draw_calendar, draw_persona, pick, theme_weights
from fragments_themes import THEMES

DEFAULT_SEED = 42
DEFAULT_N = 3000
CSV_NAME, LABELS_NAME, NOTE_NAME = "consultations_synthetic.csv", "labels_synthetic.csv", "SYNTHETIC.md"
ID_PREFIX = "SYN-"
HEADER = ["相談ID", "相談日時", "発言者", "相談内容", "年代", "性別", "職業", "都道府県", "市区町村"]
LABEL_HEADER = ["consultation_id", "primary_theme", "sub_theme", "themes", "ideation_level",
                "ideation_strength", "trap", "has_pii"]
CLIENT, COUNSELOR = "相談者", "相談員"

# ------------------------------------------------------------------------- content rates
IDEATION_BASE = .135
IDEATION_THEME = {"mental": 1.6, "loneliness": 1.5, "violence": 1.4, "school": 1.15, "money": 1.1, "work": 1.0,
                  "family": 1.0, "internet": 1.0, "couple": .9, "romance": .9}
IDEATION_AGE = {"10代未満": .5, "10代": 1.25, "20代": 1.2, "30代": 1.0, "40代": .9, "50代": .8, "60代": .6,
                "70代": .6, "80代以上": .6, "不明": 1.0}
IDEATION_LEVEL_WEIGHT = {1: .55, 2: .20, 3: .15, 4: .10}
P_STRENGTH_MARKER, P_TRAP, P_PII = .35, .13, .09
TRAP_WEIGHT = {"negation": .30, "hyperbole": .35, "third_party": .15, "past": .12, "past_attempt": .08}
N_CLIENT_WEIGHT = {3: .20, 4: .22, 5: .20, 6: .15, 7: .12, 8: .11}

_SLOT = re.compile(r"\{(\w+)\}")
_END_PUNCT = ("。", "…", "？", "?", "！", "!", "ｗ", "笑", "🙏")


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
        return pick(rng, _family_sub(p))
    allowed = {
        "violence": ["虐待", "被害"] if _young(p) else ["DV", "DV", "DV", "被害", "虐待"],
        "career": ["進路"] if occ in STUDENTS else ["就活", "進路"] if occ == "大学生" else ["転職", "転職", "進路", "就活"],
        "school": ["友達", "不登校", "成績・受験"] if occ == "大学生" else list(THEMES["school"]),
    }.get(theme, list(THEMES[theme]))
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
    weights = theme_weights(p)
    primary = pick(rng, weights)
    sub = _sub_theme(rng, primary, p)
    themes = [primary]
    n_client = int(pick(rng, N_CLIENT_WEIGHT))

    pool = _usable(THEMES[primary][sub], p)
    body: list[tuple[str, str]] = [("theme", t) for t in rng.sample(pool, min(len(pool), rng.randint(1, 3)))]
    for _ in range(rng.randint(1, 2)):
        body.insert(rng.randint(1, len(body)), ("feel", rng.choice(F.FEELINGS)))
    if rng.random() < .45:
        rest = {t: w for t, w in weights.items() if t != primary}
        second = pick(rng, rest)
        themes.append(second)
        pool2 = _usable(THEMES[second][_sub_theme(rng, second, p)], p)
        body.insert(rng.randint(1, len(body)), ("theme", rng.choice(pool2)))

    p_ideation = IDEATION_BASE * IDEATION_THEME.get(primary, .6) * IDEATION_AGE[p["age"]]
    level, strength = 0, "なし"
    if rng.random() < p_ideation:
        level = int(pick(rng, IDEATION_LEVEL_WEIGHT))
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
        trap = pick(rng, TRAP_WEIGHT if not level else {"hyperbole": .7, "third_party": .3})
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
    for i, (day, hour, minute) in enumerate(draw_calendar(rng, n), start=1):
        cid = f"{ID_PREFIX}{i:0{width}d}"
        when = f"{day:%Y/%m/%d} {hour:02d}:{minute:02d}"
        p = draw_persona(rng, day)
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
