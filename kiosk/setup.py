"""Creating a kiosk's database and signing key, and the demo roster."""
from __future__ import annotations

from kiosk.config import Config
from kiosk.validation import gb11643_check_char
from kiosk.workflow import Workflow

# (reg_no, name, first 17 digits of the ID, phone, categories)
_DEMO = (
    ("2026110102001", "张伟", "11010519900307123", "13800138001", "direct"),
    ("2026110102002", "王芳", "11010219950812234", "13900139002", "direct+graduate"),
    ("2026110102003", "李娜", "44052419880101001", "13700137003", "assistant_upgrade"),
    ("2026110102004", "阿依古丽·买买提", "65010219920611456", "15000150004", "direct"),
    ("2026110102005", "刘洋", "32010619870923567", "18600186005", "tcm_mentor"),
)


def demo_rows() -> list[dict[str, str]]:
    return [{"line": str(n + 2), "reg_no": reg, "name": name, "id_type": "resident",
             "id_number": first17 + gb11643_check_char(first17), "phone": phone,
             "categories": cats}
            for n, (reg, name, first17, phone, cats) in enumerate(_DEMO)]


def initialise(config: Config, demo: bool = False) -> int:
    """Create (or migrate) the database and the signing key; with demo, load the demo
    roster. Returns how many demo candidates are loaded (one whose materials are locked
    keeps their registration as it is). Safe to run again."""
    from kiosk.keys import ensure_signing_key

    wf = Workflow.open(config, create=True)
    try:
        ensure_signing_key(config.data_dir)
        if not demo:
            return 0
        counts, _refused = wf.upsert_candidates(demo_rows())  # (a demo candidate already
        return sum(counts.values())  # submitted keeps their registration)
    finally:
        wf.close()
