"""Benchmark the capture pipeline with the shared scorers; write the figures into BENCHMARKS.md.

    python -m camera.bench [--count N] [--seed S] [--out BENCHMARKS.md] [--shared PATH]
                           [--live-frames N] [--compress-limit N]

Generates docgen.py frames (cached under bench-data/), runs score_detect.py, score_orient.py
and score_compress.py (with --ocr when tesseract is installed) on the project's functions,
score_detect.py on the real photos in realdocs/, and times the live loop at 1280×720 (demo
source → detect → track). Only the section between the capture-pipeline markers of the
output file is replaced; everything else in it is kept.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BEGIN = "<!-- capture-pipeline:begin (written by python -m camera.bench) -->"
END = "<!-- capture-pipeline:end -->"
DETECTOR = "camera.detect:find_document"
ORIENT = "camera.orient:orientation"
COMPRESSOR = "camera.compress:compress"


def _run_json(cmd: list[str]) -> dict:
    """Run a scorer with --json from the repo root (the scorers import from '.')."""
    res = subprocess.run(cmd + ["--json"], cwd=ROOT, capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{res.stderr[-2000:]}")
    return json.loads(res.stdout)


def _show(cmd: list[str]) -> str:
    """The command as a reader would type it from the repo root."""
    def one(c: str) -> str:
        if c == sys.executable:
            return "python"
        return os.path.relpath(c, ROOT) if os.path.isabs(c) else c
    return " ".join(one(c) for c in cmd)


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def generate(shared: Path, count: int, seed: int) -> tuple[Path, list[str]]:
    data = ROOT / "bench-data" / f"docgen-seed{seed}-n{count}"
    cmd = [sys.executable, str(shared / "bench" / "docgen.py"), str(data), "--count", str(count),
           "--seed", str(seed)]
    manifest = data / "manifest.json"
    if not (manifest.exists() and json.loads(manifest.read_text()).get("count") == count):
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    return data, cmd


def live_loop(frames: int) -> dict:
    """Median / p95 ms of detect + track per 1280×720 demo frame (grabbing not counted)."""
    out: dict = {"frames": frames, "size": "1280x720"}
    try:
        from camera.sources import open_source
    except ImportError:
        open_source = None
    try:
        from camera.track import Tracker
    except ImportError:
        Tracker = None  # noqa: N806
    from camera.detect import find_document

    grabbed: list[np.ndarray] = []
    if open_source is not None:
        src = open_source("demo", fps=1000.0, size=(1280, 720))
        try:
            seq = 0
            t_end = time.monotonic() + 60
            while len(grabbed) < frames and time.monotonic() < t_end:
                got = src.wait_frame(seq, timeout=2.0)
                if got is None:
                    break
                frame, seq, _ = got
                grabbed.append(frame.copy())
        finally:
            src.close()
        out["source"] = 'camera.sources.open_source("demo")'
    if not grabbed:  # no demo source: synthetic frames from docgen's renderer are not here
        raise RuntimeError("no demo frames could be grabbed")
    det_ms, loop_ms = [], []
    for f in grabbed:
        t0 = time.perf_counter()
        find_document(f)
        det_ms.append(1000 * (time.perf_counter() - t0))
    if Tracker is not None:
        tracker = Tracker()
        for i, f in enumerate(grabbed):
            t0 = time.perf_counter()
            tracker.update(f, i / 15.0)
            loop_ms.append(1000 * (time.perf_counter() - t0))
        out["track_ms_median"] = statistics.median(loop_ms)
        out["track_ms_p95"] = float(np.percentile(loop_ms, 95))
    else:
        out["note"] = "camera.track unavailable: detection only"
    out["detect_ms_median"] = statistics.median(det_ms)
    out["detect_ms_p95"] = float(np.percentile(det_ms, 95))
    return out


def render(r: dict) -> str:
    d, o, c, live = r["detect"], r["orient"], r["compress"], r["live"]
    cb, cm = c["baseline"], c["compressor"]
    lines = [
        BEGIN,
        "## Capture pipeline",
        "",
        f"Measured {r['date']} on {r['machine']}. Timings are medians of one call, and only "
        "their ratios to a baseline measured in the same run are meaningful (shared machine).",
        "",
        "### Document detection (score_detect.py, IoU with the true corners)",
        "",
        "| set | frames | mean IoU | found (IoU ≥ 0.9) | ms | baseline IoU | baseline found "
        "| time ratio |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, s in d.items():
        lines.append(
            f"| {name} | {s['frames']} | {s['mean_iou']:.3f} | {s['found']:.1%} | {s['ms']:.1f} "
            f"| {s['baseline_mean_iou']:.3f} | {s['baseline_found']:.1%} "
            f"| {s['time_ratio']:.2f} |")
    lines += [
        "",
        "### Orientation (score_orient.py; the baseline answer \"always 0\" is right on the "
        "turn-0 share)",
        "",
        "| set | frames | right | per turn (0/90/180/270) | ms | always-0 baseline |",
        "|---|---|---|---|---|---|",
    ]
    for name, s in o.items():
        per = " / ".join(f"{v:.1%}" for v in s["per_turn"].values())
        lines.append(f"| {name} | {s['frames']} | {s['right']:.1%} | {per} | {s['ms']:.1f} "
                     f"| {s['always_zero']:.1%} |")
    rt = r.get("real_turns")
    if rt:
        lines += ["", f"Real pages (realdocs, {rt['pages']} pages cut out along their true "
                  f"corners) turned by each quarter: {rt['right']} of {rt['cases']} right "
                  f"({rt['right'] / rt['cases']:.1%})."]
    ocr = "ocr" in cm
    lines += [
        "",
        f"### Compression to ≤ 200,000 bytes (score_compress.py, {c['pages']} pages: clean "
        "and camera-cut; OCR by tesseract" + ("" if ocr else ": not installed, not measured")
        + ")",
        "",
        "| | over cap | SSIM | OCR share | mean kB | ms |",
        "|---|---|---|---|---|---|",
        f"| baseline (quality steps) | {cb['over']} | {cb['ssim']:.4f} "
        f"| {cb.get('ocr', float('nan')):.3f} | {cb['kb']:.0f} | {cb['ms']:.0f} |",
        f"| camera.compress | {cm['over']} | {cm['ssim']:.4f} "
        f"| {cm.get('ocr', float('nan')):.3f} | {cm['kb']:.0f} | {cm['ms']:.0f} |",
        "",
        f"SSIM gain {cm['ssim'] - cb['ssim']:+.4f}; time ratio compressor/baseline "
        f"{cm['time_ratio']:.2f}.",
        "",
        "### Live loop at 1280×720 (demo source, per frame, grabbing not counted)",
        "",
    ]
    if "track_ms_median" in live:
        lines.append(f"detect + track (camera.track.Tracker): median {live['track_ms_median']:.1f}"
                     f" ms, p95 {live['track_ms_p95']:.1f} ms → "
                     f"{1000 / live['track_ms_median']:.0f} frames/s of processing; ")
    else:
        lines.append(f"{live.get('note', '')}; ")
    lines[-1] += (f"full detection alone: median {live['detect_ms_median']:.1f} ms, "
                  f"p95 {live['detect_ms_p95']:.1f} ms ({live['frames']} frames from "
                  f"{live.get('source', 'demo')}).")
    lines += ["", "### Commands", "", "```"] + r["commands"] + ["```", END]
    return "\n".join(lines) + "\n"


def write_section(path: Path, section: str) -> None:
    old = path.read_text() if path.exists() else "# Benchmarks\n"
    if BEGIN in old and END in old:
        head, rest = old.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        new = head + section.rstrip("\n") + tail
    else:
        new = old.rstrip("\n") + "\n\n" + section
    path.write_text(new)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--live-frames", type=int, default=150)
    ap.add_argument("--compress-limit", type=int, default=40,
                    help="docgen frames for score_compress (2 pages each)")
    a = ap.parse_args(argv)
    bench = a.shared / "bench"
    if not (bench / "docgen.py").exists():
        print(f"no docgen.py under {bench}; pass --shared PATH", file=sys.stderr)
        return 2
    py = sys.executable
    data, gen_cmd = generate(a.shared, a.count, a.seed)
    commands = [_show(gen_cmd)]
    results: dict = {"detect": {}, "orient": {}}
    sets = {f"docgen seed {a.seed}, {a.count} frames": data}
    for name in ("smartdoc2015", "synthdocs"):
        if (a.shared / "realdocs" / name / "manifest.json").exists():
            sets[f"realdocs/{name}"] = a.shared / "realdocs" / name
    for name, path in sets.items():
        cmd = [py, str(bench / "score_detect.py"), str(path), "--detector", DETECTOR]
        commands.append(_show(cmd))
        results["detect"][name] = _run_json(cmd)
        print(f"detect {name}: {results['detect'][name]['mean_iou']:.3f}", flush=True)
    for name, path in sets.items():
        cmd = [py, str(bench / "score_orient.py"), str(path), "--finder", ORIENT]
        commands.append(_show(cmd))
        s = _run_json(cmd)
        s["always_zero"] = _share_turn0(path)
        results["orient"][name] = s
        print(f"orient {name}: {s['right']:.3f}", flush=True)
    real = [p for n, p in sets.items() if n.startswith("realdocs/")]
    results["real_turns"] = real_turns(real) if real else None
    cmd = [py, str(bench / "score_compress.py"), str(data), "--compressor", COMPRESSOR,
           "--limit", str(a.compress_limit)]
    if shutil.which("tesseract"):
        cmd.append("--ocr")
    commands.append(_show(cmd))
    results["compress"] = _run_json(cmd) | {"pages": 2 * min(a.compress_limit, a.count)}
    print(f"compress: {results['compress']['compressor']}", flush=True)
    results["live"] = live_loop(a.live_frames)
    commands.append(f"python -m camera.bench --count {a.count} --seed {a.seed}")
    results["commands"] = commands
    results["date"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    results["machine"] = (f"{_cpu()}, {os.cpu_count()} cores, Python "
                          f"{platform.python_version()}, OpenCV {cv2.__version__}")
    write_section(a.out, render(results))
    print(f"wrote the capture-pipeline section of {a.out}")
    return 0


def cut_upright(frame: np.ndarray, corners) -> np.ndarray:
    """The document cut out of a realdocs frame along its true corners, which run clockwise
    from the document's own top-left: the page comes out upright."""
    doc = np.float32(corners)
    w = int(np.hypot(*(doc[1] - doc[0])))
    h = int(np.hypot(*(doc[3] - doc[0])))
    m = cv2.getPerspectiveTransform(doc, np.float32([[0, 0], [w, 0], [w, h], [0, h]]))
    return cv2.warpPerspective(frame, m, (w, h), flags=cv2.INTER_AREA)


def real_turns(folders: list[Path]) -> dict:
    """orientation() on real pages turned by each quarter: score_orient.py sees real pages
    upright only. Each page is cut out upright along its true corners (clockwise from the
    document's top-left), then turned counter-clockwise by 0/90/180/270."""
    from camera.orient import orientation

    turns = [None, cv2.ROTATE_90_COUNTERCLOCKWISE, cv2.ROTATE_180, cv2.ROTATE_90_CLOCKWISE]
    right = total = 0
    for folder in folders:
        for e in json.loads((folder / "manifest.json").read_text())["frames"]:
            page = cut_upright(cv2.imread(str(folder / e["file"])), e["corners"])
            for k, code in enumerate(turns):
                turned = page if code is None else cv2.rotate(page, code)
                right += orientation(turned) == 90 * k
                total += 1
    return {"right": right, "cases": total, "pages": total // 4}


def _share_turn0(data: Path) -> float:
    """Share of frames whose document lies at turn 0: what "always answer 0" scores."""
    frames = json.loads((data / "manifest.json").read_text())["frames"]
    zero = 0
    for e in frames:
        c = np.asarray(e["corners"], np.float64)
        zero += int(np.argmin(c[:, 0] + c[:, 1])) == 0
    return zero / len(frames)


if __name__ == "__main__":
    sys.exit(main())
