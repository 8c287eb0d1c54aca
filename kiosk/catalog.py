"""The material catalog and candidate categories, as data (DOMAIN.md's default table).

kiosk.toml may replace the whole catalog (`[[materials]]`) and the categories; nothing here
is consulted directly by the rules except through `Catalog`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

ALL = "*"

# Candidate categories (考生类别). A candidate may belong to several, joined by "+".
DEFAULT_CATEGORIES: dict[str, str] = {
    "direct": "直接报考（含试用期考核）",
    "assistant_upgrade": "执业助理医师报考执业医师（助升执）",
    "tcm_mentor": "传统医学师承/确有专长",
    "graduate": "应届医学专业毕业生",
    "foreign": "港澳台/外籍人员",
}


@dataclass(frozen=True)
class Material:
    code: str
    name: str
    min: int
    max: int
    applies_to: tuple[str, ...] = (ALL,)
    # Image counts that depend on the ID type, e.g. a resident ID card is exactly 2 images.
    by_id_type: dict[str, tuple[int, int]] = field(default_factory=dict)
    # Physical size of the paper when known (camera.straighten.PAPER_SIZES_MM key).
    paper: str | None = None
    paper_by_id_type: dict[str, str] = field(default_factory=dict)
    hint: str = ""
    # One paper may serve several candidates (a hospital's licence, a mentor's licence, a
    # unit's summary sheet); a photo of a personal document belongs to one candidate only.
    shared: bool = False

    def applies(self, categories: frozenset[str]) -> bool:
        return ALL in self.applies_to or bool(categories & set(self.applies_to))


_ID_CARD = {"resident": "id_card", "temp_resident": "id_card", "hmt_permit": "id_card"}

DEFAULT_MATERIALS: tuple[Material, ...] = (
    Material("notice", "网上报名成功通知单", 1, 1, paper="a4",
             hint="须单位盖章、本人签字"),
    Material("id_doc", "身份证明", 1, 4,
             by_id_type={"resident": (2, 2), "temp_resident": (2, 2), "hmt_permit": (2, 2)},
             paper_by_id_type=_ID_CARD, hint="身份证正反面各一张"),
    Material("diploma", "学历证书", 1, 4),
    Material("degree", "学位证书", 0, 4),
    Material("edu_proof", "学历证明", 0, 4, hint="国外学历认证、中专学历证明、学信网备案表等"),
    Material("trial_proof", "试用期考核证明", 1, 6, applies_to=("direct",), paper="a4",
             hint="每个试用机构一份，须盖章，当年有效"),
    Material("mentor_license", "带教老师执业证书", 0, 4, applies_to=("direct",), shared=True),
    Material("institution_license", "医疗机构执业许可证副本", 0, 4, shared=True),
    Material("assistant_docs", "执业助理医师资格证书及执业证书", 1, 8,
             applies_to=("assistant_upgrade",)),
    Material("tcm_cert", "传统医学师承出师证书/医术确有专长证书", 1, 2,
             applies_to=("tcm_mentor",)),
    Material("graduate_pledge", "应届医学专业毕业生报考承诺书", 1, 2, applies_to=("graduate",),
             paper="a4"),
    Material("internship_form", "港澳台/外籍人员实习申请审核表", 1, 2, applies_to=("foreign",),
             paper="a4"),
    Material("other", "其他材料", 0, 6, shared=True),
)


@dataclass(frozen=True)
class Need:
    """What one candidate needs of one material."""

    material: Material
    min: int
    max: int
    paper: str | None


class Catalog:
    def __init__(self, materials: tuple[Material, ...] = DEFAULT_MATERIALS,
                 categories: dict[str, str] | None = None) -> None:
        self.materials = materials
        self.by_code = {m.code: m for m in materials}
        self.categories = dict(DEFAULT_CATEGORIES if categories is None else categories)

    def get(self, code: str) -> Material | None:
        return self.by_code.get(code)

    def needs(self, categories: frozenset[str], id_type: str) -> dict[str, Need]:
        """The materials this candidate must or may present, in catalog order."""
        out: dict[str, Need] = {}
        for m in self.materials:
            if not m.applies(categories):
                continue
            lo, hi = m.by_id_type.get(id_type, (m.min, m.max))
            out[m.code] = Need(m, lo, hi, m.paper_by_id_type.get(id_type, m.paper))
        return out


def parse_categories(text: str) -> frozenset[str]:
    return frozenset(p.strip() for p in text.replace(",", "+").split("+") if p.strip())
