"""Frame sources: one way to open a camera, a stream, a video file, a folder, or the demo.

`open_source(spec)` returns a FrameSource whose grab thread keeps only the newest frame:
`latest()` never blocks (it returns (frame, seq, timestamp) or None). A source that fails to
open, stops delivering frames (unplugged, stalled stream, emptied folder) is reported through
`status` (and the optional `on_status` callback) as "reconnecting" with a reason code, and is
reopened with exponential back-off; after `max_failures` consecutive failed attempts (None =
never give up) it is "failed". Nothing here raises into the caller once the source exists.

spec: "demo" | "0" (camera index) | "/dev/video0" | "rtsp://..." / "http://..." |
      a video file | a folder of images (replayed in a loop) | one image file.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

__all__ = ["FrameSource", "SourceError", "SourceStatus", "open_source"]

log = logging.getLogger(__name__)

IMAGE_EXTS = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"}
VIDEO_EXTS = {".mp4", ".avi", ".mkv", ".mov", ".webm", ".m4v", ".mjpg", ".mjpeg"}
# Document cameras offer up to ~16 MP; ask for more than any offers, read back what was granted
MAX_SIZE = (4656, 3496)


@dataclass(frozen=True)
class SourceStatus:
    """state: "starting" | "ok" | "reconnecting" | "failed" | "closed".
    reason (a code for messages and logs): "" | "open_failed" | "not_found" | "empty" |
    "read_failed" | "stalled" | "gave_up"; detail: free text for the log."""

    state: str
    reason: str = ""
    detail: str = ""
    since: float = field(default_factory=time.monotonic)


class SourceError(Exception):
    """An open or read failure with a reason code (see SourceStatus)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class Reader(Protocol):
    """What a grab thread reads from. read() returns a frame, or None on failure."""

    interval: float  # seconds between frames to pace replay (0: the device paces itself)
    info: dict

    def read(self) -> np.ndarray | None: ...

    def close(self) -> None: ...


# ----------------------------------------------------------------------------- readers


class CaptureReader:
    """cv2.VideoCapture: camera index or device path (MJPEG, largest size), stream URL, or a
    video file (looped, paced at its own frame rate)."""

    def __init__(self, target: int | str, *, camera: bool, loop: bool = False,
                 size: tuple[int, int] | None = MAX_SIZE) -> None:
        self.loop = loop
        self.target = target
        if camera:
            # V4L2 on Linux: the only backend that honours FOURCC/size for UVC cameras
            api = cv2.CAP_V4L2 if hasattr(cv2, "CAP_V4L2") and _is_linux() else cv2.CAP_ANY
            self.cap = cv2.VideoCapture(target, api)
        else:
            self.cap = cv2.VideoCapture(target)
        if not self.cap.isOpened():
            self.cap.release()
            raise SourceError("open_failed", f"cannot open {target!r}")
        if camera:
            # MJPEG first: raw YUYV over USB 2 cannot carry large frames at a usable rate
            self.cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*"MJPG"))
            if size:
                self.cap.set(cv2.CAP_PROP_FRAME_WIDTH, size[0])
                self.cap.set(cv2.CAP_PROP_FRAME_HEIGHT, size[1])
            self.cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # newest frame, not a queue of old ones
        fps = self.cap.get(cv2.CAP_PROP_FPS) or 0.0
        self.interval = (1.0 / fps if 0 < fps < 240 else 1 / 25) if loop else 0.0
        fourcc = int(self.cap.get(cv2.CAP_PROP_FOURCC) or 0)
        self.info = {
            "size": (int(self.cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
                     int(self.cap.get(cv2.CAP_PROP_FRAME_HEIGHT))),
            "fourcc": "".join(chr((fourcc >> (8 * i)) & 0xFF) for i in range(4)).strip("\0"),
            "fps": fps,
        }

    def read(self) -> np.ndarray | None:
        ok, frame = self.cap.read()
        if not ok and self.loop:
            # end of a video file: replay it, unless it was removed (an open handle would
            # keep playing a deleted file; report it instead)
            if isinstance(self.target, str) and not Path(self.target).exists():
                return None
            self.cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self.cap.read()
        return frame if ok and frame is not None else None

    def close(self) -> None:
        self.cap.release()


class FolderReader:
    """Images of a folder (sorted by name), replayed in a loop; the folder is listed again on
    every pass, so files may come and go. One image file works too."""

    def __init__(self, path: Path, fps: float = 5.0) -> None:
        self.path = path
        self.interval = 1.0 / fps if fps > 0 else 0.0
        self._files = self._list()
        self._i = 0
        self.info = {"files": len(self._files)}

    def _list(self) -> list[Path]:
        if self.path.is_file():
            return [self.path]
        if not self.path.is_dir():
            raise SourceError("not_found", str(self.path))
        files = sorted(p for p in self.path.iterdir() if p.suffix.lower() in IMAGE_EXTS)
        if not files:
            raise SourceError("empty", f"no images in {self.path}")
        return files

    def read(self) -> np.ndarray | None:
        for _ in range(len(self._files) + 1):
            if self._i >= len(self._files):
                self._i = 0
                try:
                    self._files = self._list()
                except SourceError:
                    return None
            p = self._files[self._i]
            self._i += 1
            frame = cv2.imread(str(p), cv2.IMREAD_COLOR)
            if frame is not None:
                return frame
            log.debug("skipping unreadable image %s", p)
        return None  # nothing readable in a whole pass

    def close(self) -> None:
        pass


class DemoReader:
    """The built-in demo camera (camera/demo.py), paced at fps, time from its own start."""

    def __init__(self, fps: float = 15.0, size: tuple[int, int] = (1280, 720),
                 period: float = 6.0, seed: int = 0, start: float = 1.5) -> None:
        from camera.demo import DemoScene

        self.scene = DemoScene(size=size, period=period, seed=seed)
        self.interval = 1.0 / fps if fps > 0 else 0.0
        # start with the first document already on the desk (start s into the scene)
        self._t0 = time.monotonic() - start
        self.info = {"size": size, "demo": True}

    def read(self) -> np.ndarray | None:
        return self.scene.render(time.monotonic() - self._t0)[0]

    def close(self) -> None:
        pass


def _is_linux() -> bool:
    import sys

    return sys.platform.startswith("linux")


# ----------------------------------------------------------------------------- the source


class FrameSource:
    """A grab thread over a reader that is (re)opened by `opener`, keeping the newest frame.

    stall_s: no new frame for this long while "ok" -> "reconnecting"/"stalled" (a read that
    hangs inside a driver is abandoned to its thread; a fresh reader is opened). backoff_s /
    backoff_max_s: first and longest wait between reopen attempts (doubling). max_failures:
    consecutive failed attempts before "failed" (None: keep trying). on_status: called (from
    the grab thread) with every new SourceStatus; it must not block.
    """

    def __init__(self, name: str, opener: Callable[[], Reader], *, stall_s: float = 3.0,
                 backoff_s: float = 0.5, backoff_max_s: float = 10.0,
                 max_failures: int | None = None,
                 on_status: Callable[[SourceStatus], None] | None = None) -> None:
        self.name = name
        self._opener = opener
        self.stall_s = stall_s
        self.backoff_s = backoff_s
        self.backoff_max_s = backoff_max_s
        self.max_failures = max_failures
        self._on_status = on_status
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._latest: tuple[np.ndarray, int, float] | None = None
        self._seq = 0
        self._status = SourceStatus("starting")
        self._info: dict = {}
        self._stop = threading.Event()
        self._gen = 0
        self._last_frame_t = time.monotonic()
        self._start_worker()
        self._watchdog = threading.Thread(target=self._watch, name=f"{name}-watchdog",
                                          daemon=True)
        self._watchdog.start()

    # -- public

    @property
    def status(self) -> SourceStatus:
        with self._lock:
            return self._status

    @property
    def info(self) -> dict:
        """What the device granted (size, fourcc, fps), once open."""
        with self._lock:
            return dict(self._info)

    def latest(self) -> tuple[np.ndarray, int, float] | None:
        """The newest frame as (frame, seq, monotonic timestamp), or None; never blocks.
        The frame must be treated as read-only (it is shared with other callers)."""
        with self._lock:
            return self._latest

    def wait_frame(self, after_seq: int = 0, timeout: float = 1.0
                   ) -> tuple[np.ndarray, int, float] | None:
        """Wait (at most timeout s) for a frame newer than after_seq; None on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._latest is None or self._latest[1] <= after_seq:
                left = deadline - time.monotonic()
                if left <= 0 or self._stop.is_set():
                    return None
                self._cond.wait(left)
            return self._latest

    def close(self) -> None:
        """Stop the grab thread (waits briefly for it) and release the device."""
        self._stop.set()
        with self._cond:
            self._gen += 1
            self._cond.notify_all()
        for t in (self._worker, self._watchdog):
            if t is not threading.current_thread():
                t.join(timeout=2.0)
        self._set_status(SourceStatus("closed"))

    def __enter__(self) -> FrameSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals

    def _set_status(self, st: SourceStatus) -> None:
        with self._lock:
            old = self._status
            if old.state == "closed" or (old.state == st.state and old.reason == st.reason):
                return
            self._status = st
        if st.state in ("reconnecting", "failed"):
            log.warning("camera source %s: %s %s %s", self.name, st.state, st.reason, st.detail)
        else:
            log.info("camera source %s: %s", self.name, st.state)
        if self._on_status is not None:
            try:
                self._on_status(st)
            except Exception:  # a broken callback must not kill the grab thread
                log.exception("on_status callback failed")

    def _start_worker(self) -> None:
        with self._lock:
            self._gen += 1
            gen = self._gen
            self._last_frame_t = time.monotonic()
        self._worker = threading.Thread(target=self._run, args=(gen,), name=f"{self.name}-grab",
                                         daemon=True)
        self._worker.start()

    def _current(self, gen: int) -> bool:
        return not self._stop.is_set() and gen == self._gen

    def _run(self, gen: int) -> None:
        failures = 0
        delay = self.backoff_s
        while self._current(gen):
            reader: Reader | None = None
            reason, detail = "open_failed", ""
            try:
                reader = self._opener()
            except SourceError as e:
                reason, detail = e.reason, e.detail
            except Exception as e:  # any driver/backend error is a failed attempt, not a crash
                detail = repr(e)
            if reader is not None:
                with self._lock:
                    self._info = dict(getattr(reader, "info", {}) or {})
                reason, detail, got = self._pump(reader, gen)
                try:
                    reader.close()
                except Exception:
                    log.exception("closing the reader failed")
                if got:
                    failures, delay = 0, self.backoff_s
            if not self._current(gen):
                return
            failures += 1
            if self.max_failures is not None and failures >= self.max_failures:
                self._set_status(SourceStatus("failed", "gave_up", f"{reason} {detail}".strip()))
                return
            self._set_status(SourceStatus("reconnecting", reason, detail))
            self._stop.wait(delay)
            delay = min(delay * 2, self.backoff_max_s)

    def _pump(self, reader: Reader, gen: int) -> tuple[str, str, bool]:
        """Read until the reader fails; returns (reason, detail, got_any_frame)."""
        got = False
        while self._current(gen):
            t0 = time.monotonic()
            try:
                frame = reader.read()
            except Exception as e:
                return "read_failed", repr(e), got
            if not self._current(gen):
                break
            if frame is None:
                return "read_failed", "", got
            if not got:
                got = True
                self._set_status(SourceStatus("ok"))
            now = time.monotonic()
            with self._cond:
                self._seq += 1
                self._latest = (frame, self._seq, now)
                self._last_frame_t = now
                self._cond.notify_all()
            if reader.interval > 0:
                self._stop.wait(max(0.0, reader.interval - (time.monotonic() - t0)))
        return "closed", "", got

    def _watch(self) -> None:
        """Detect a read that hangs (no frame for stall_s while "ok") and start over."""
        while not self._stop.wait(max(0.05, self.stall_s / 4)):
            with self._lock:
                stalled = (self._status.state == "ok"
                           and time.monotonic() - self._last_frame_t > self.stall_s)
            if stalled:
                self._set_status(SourceStatus("reconnecting", "stalled",
                                              f"no frame for {self.stall_s:.1f} s"))
                # the hung thread keeps its reader; it exits when (if) the read returns
                self._start_worker()


# ----------------------------------------------------------------------------- factory


def open_source(spec: str, *, fps: float | None = None, size: tuple[int, int] | None = None,
                **kwargs: object) -> FrameSource:
    """Open any frame source by its spec (see the module doc). fps paces replayed sources
    (folder, demo); size is the requested camera size (default: the largest possible) or the
    demo's frame size. Other keyword arguments go to FrameSource (stall_s, backoff_s,
    backoff_max_s, max_failures, on_status). Raises ValueError only for an empty spec."""
    spec = (spec or "").strip()
    if not spec:
        raise ValueError("empty frame source spec (use 'demo', a camera index, a path or a URL)")
    opener: Callable[[], Reader]
    if spec.lower() == "demo":
        demo_size = size or (1280, 720)

        def opener() -> Reader:
            return DemoReader(fps=fps or 15.0, size=demo_size)
    elif spec.isdigit():
        index = int(spec)

        def opener() -> Reader:
            return CaptureReader(index, camera=True, size=size or MAX_SIZE)
    elif spec.startswith("/dev/video"):

        def opener() -> Reader:
            if not Path(spec).exists():
                raise SourceError("not_found", spec)
            return CaptureReader(spec, camera=True, size=size or MAX_SIZE)
    elif "://" in spec:

        def opener() -> Reader:
            return CaptureReader(spec, camera=False)
    else:
        path = Path(spec).expanduser()
        if path.suffix.lower() in VIDEO_EXTS:

            def opener() -> Reader:
                if not path.is_file():
                    raise SourceError("not_found", str(path))
                return CaptureReader(str(path), camera=False, loop=True)
        else:  # a folder or an image file; it may not exist yet (reported, retried)

            def opener() -> Reader:
                return FolderReader(path, fps=fps or 5.0)
    return FrameSource(spec, opener, **kwargs)  # type: ignore[arg-type]
