"""Synthetic identifiers: USCCs, names, account numbers, and their delivered variants.

Codes are drawn vectorised with the GB 32100-2015 check character (mujun.codes
holds the single-code reference implementation, which the tests cross-check).
Names are unique by construction, because the grid's name fallback (rule-pack.md,
Electricity) needs exactly one enterprise per normalised name.
"""

from __future__ import annotations

import numpy as np

from mujun.codes import USCC_ALPHABET, USCC_WEIGHTS

_ALPHA = np.array(list(USCC_ALPHABET))
_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
# GB 11714 organisation code: 8 body characters (digits, upper-case letters) + a check.
_ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2])
_ORG_BODY = np.array(list("0123456789ABCDEFGHJKLMNPQRTUWXY"))
_ORG_VALUE = np.array([int(c, 36) for c in _ORG_BODY])
_CODEPOINT_VALUE = np.zeros(128, dtype=np.int64)
for _ch, _v in _VALUE.items():
    _CODEPOINT_VALUE[ord(_ch)] = _v


def _check_values(values17: np.ndarray) -> np.ndarray:
    return (31 - (values17 @ np.array(USCC_WEIGHTS)) % 31) % 31


def uscc_batch(
    rng: np.random.Generator,
    prefixes: np.ndarray | list[str] | str,
    n: int,
    avoid: set[str] | None = None,
) -> np.ndarray:
    """`n` distinct valid USCCs with the given 8-character prefixes (type + division).

    The organisation-code part carries its GB 11714 check digit, as real codes do.
    """
    prefixes = np.broadcast_to(np.asarray(prefixes, dtype="<U8"), (n,))
    avoid = set(avoid or ())
    out = np.empty(n, dtype="<U18")
    todo = np.arange(n)
    while len(todo):
        k = len(todo)
        body = rng.integers(0, len(_ORG_BODY), size=(k, 8))
        org_sum = (_ORG_VALUE[body] * _ORG_WEIGHTS).sum(axis=1)
        org_check = (11 - org_sum % 11) % 11  # 10 is written X
        org_chars = np.where(org_check == 10, "X", org_check.astype("<U2"))
        body_text = np.ascontiguousarray(_ORG_BODY[body]).view("<U8").ravel()
        first17 = np.char.add(np.char.add(prefixes[todo], body_text), org_chars)
        points = np.ascontiguousarray(first17.astype("<U17")).view(np.uint32).reshape(k, 17)
        codes = np.char.add(first17, _ALPHA[_check_values(_CODEPOINT_VALUE[points])])
        out[todo] = codes
        # redraw collisions (with each other or with codes to avoid)
        _, first = np.unique(out, return_index=True)
        keep = np.zeros(n, dtype=bool)
        keep[first] = True
        if avoid:
            keep &= ~np.isin(out, list(avoid))
        todo = np.flatnonzero(~keep)
    return out


def wrong_check(code: str, shift: int) -> str:
    """The code with a different (wrong) check character: `shift` in 1..30."""
    value = _VALUE[code[17]]
    return code[:17] + USCC_ALPHABET[(value + shift) % 31]


_ASCII_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_FULLWIDTH = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in _ASCII_ALNUM})
COSMETIC_KINDS = ("fullwidth", "lowercase", "padded")


def cosmetic(code: str, kind: str) -> str:
    """A delivered form of `code` that normalises back to it (NFKC, no spaces, upper)."""
    if kind == "fullwidth":
        return code.translate(_FULLWIDTH)
    if kind == "lowercase" and any(c.isalpha() for c in code):
        return code.lower()
    # padded: leading, trailing and one inner (ideographic) space, as seen in hand-typed data
    middle = len(code) // 2
    return f" {code[:middle]}\u3000{code[middle:]} "


# ---- names ----------------------------------------------------------------------------
# Trade-name characters common in Zhejiang company names; two or three of them are
# drawn without repetition, so every trade name (and thus every enterprise name) is unique.
_TRADE_CHARS = list(
    "甬华兴盛达鑫泰源宏昌恒瑞丰隆祥佳和新安利通宝德嘉荣康明海天金鼎诚信联合众博远东方"
    "星辰光耀辉煌正大永凯中亚汇创科越腾飞龙凤彩云江浙镇港澥蛟骆驹驰聚浩川峰晟瀚铭锦程"
    "旭升启航沃尔顿欧普森格林威力宇晨阳春秋致精品立伟俊豪杰盈润泽福禄寿喜乐万"
)
_WORDS = {
    "13": ["食品", "粮油"],
    "14": ["食品", "调味品"],
    "15": ["饮品", "酒业"],
    "17": ["纺织", "织造"],
    "18": ["服饰", "制衣"],
    "19": ["皮革", "鞋业"],
    "20": ["木业", "竹木"],
    "21": ["家具", "家居"],
    "22": ["纸业", "包装"],
    "23": ["印刷", "印务"],
    "24": ["文体用品", "工艺品"],
    "25": ["石化", "炼化"],
    "26": ["化工", "新材料"],
    "27": ["制药", "生物医药"],
    "28": ["化纤", "合成纤维"],
    "29": ["塑业", "橡塑"],
    "30": ["建材", "玻璃"],
    "31": ["钢铁", "特钢"],
    "32": ["有色金属", "铜业"],
    "33": ["五金", "金属制品"],
    "34": ["机械", "阀门"],
    "35": ["装备", "专用设备"],
    "36": ["汽车部件", "汽配"],
    "37": ["船舶", "轨道设备"],
    "38": ["电器", "电气"],
    "39": ["电子", "通信设备"],
    "40": ["仪器仪表", "精密仪器"],
    "41": ["制品", "日用品"],
    "42": ["再生资源", "环保科技"],
    "43": ["设备维修", "机电修理"],
    "44": ["热电", "电力"],
    "45": ["燃气", "能源"],
    "46": ["水务", "供水"],
    "51": ["贸易", "商贸"],
    "72": ["咨询", "管理服务"],
}
_FORMS = ["有限公司", "股份有限公司", "科技有限公司", "实业有限公司"]
_SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾")
_GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国志红")


def trade_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """`n` distinct two- or three-character trade names (no character repeated)."""
    chars = np.array(_TRADE_CHARS)
    k = len(chars)
    two = k * (k - 1)
    capacity = two + k * (k - 1) * (k - 2)
    if n > capacity:
        raise ValueError(f"cannot name {n} enterprises uniquely")
    # prefer two-character names while they last, as most real names are
    picks = rng.choice(two if n <= two // 2 else capacity, size=n, replace=False)
    short = picks < two
    a2, b2 = np.divmod(picks, k - 1)
    b2 = b2 + (b2 >= a2)
    q = np.where(short, 0, picks - two)
    a3, rest = np.divmod(q, (k - 1) * (k - 2))
    b3, c3 = np.divmod(rest, k - 2)
    b3 = b3 + (b3 >= a3)
    lo, hi = np.minimum(a3, b3), np.maximum(a3, b3)
    c3 = c3 + (c3 >= lo)
    c3 = c3 + (c3 >= hi)
    pair = np.char.add(chars[np.where(short, a2, a3)], chars[np.where(short, b2, b3)])
    return np.where(short, pair, np.char.add(pair, chars[c3]))


def enterprise_names(rng: np.random.Generator, majors: list[str]) -> list[str]:
    """Unique names such as 宁波甬华化工有限公司 or 甬华化工（宁波）有限公司."""
    n = len(majors)
    trades = trade_names(rng, n)
    word_pick = rng.integers(0, 2, size=n)
    form_pick = rng.choice(len(_FORMS), size=n, p=[0.55, 0.15, 0.2, 0.1])
    bracket = rng.random(n) < 0.1
    names = []
    for trade, major, w, f, br in zip(
        trades.tolist(),
        majors,
        word_pick.tolist(),
        form_pick.tolist(),
        bracket.tolist(),
        strict=True,
    ):
        word = _WORDS.get(major, ["实业", "科技"])[w]
        form = _FORMS[f]
        # the full-width brackets matter: NFKC turns them into ASCII ones (feeds.md)
        names.append(f"{trade}{word}（宁波）{form}" if br else f"宁波{trade}{word}{form}")
    return names


def person_names(rng: np.random.Generator, n: int) -> list[str]:
    """Names of people: tenants without a code, meters in a person's name."""
    s = rng.integers(0, len(_SURNAMES), size=n)
    g1 = rng.integers(0, len(_GIVEN), size=n)
    g2 = rng.integers(-len(_GIVEN) // 2, len(_GIVEN), size=n)  # negative: a one-character name
    return [
        _SURNAMES[a] + _GIVEN[b] + (_GIVEN[c] if c >= 0 else "")
        for a, b, c in zip(s.tolist(), g1.tolist(), g2.tolist(), strict=True)
    ]


def name_variant(name: str, kind: int) -> str:
    """A way the power company may have typed `name` that still normalises to it."""
    if kind == 0:
        return name.replace("（", "(").replace("）", ")")
    if kind == 1:
        return " ".join([name[:2], name[2:]])
    return name + "\u3000"


def digit_codes(rng: np.random.Generator, n: int, digits: int, first_low: int = 1) -> np.ndarray:
    """`n` distinct numbers of exactly `digits` digits, as int64 (first digit ≥ first_low)."""
    low, high = first_low * 10 ** (digits - 1), 10**digits
    out = np.empty(0, dtype=np.int64)
    while len(out) < n:
        draw = rng.integers(low, high, size=int((n - len(out)) * 1.1) + 16)
        out = np.concatenate([out, draw])
        _, first = np.unique(out, return_index=True)
        out = out[np.sort(first)]
    return out[:n]
