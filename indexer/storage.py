"""Index folder layout: generations gen-<n>/ and a `current` symlink swapped with os.replace."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

CURRENT = "current"
LAYOUT_LOCK = "layout.lock"
BUILDING = "building.pid"  # present while a generation is being built, holds the builder's pid
_GEN_RE = re.compile(r"^gen-(\d+)$")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Layout:
    """Generations of one index folder; readers follow `current`, builders never touch it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Serialise create/swap/clean-up across processes; held for milliseconds only."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / LAYOUT_LOCK, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def current(self) -> Path | None:
        """The generation being served, or None when there is none yet."""
        link = self.root / CURRENT
        try:
            target = os.readlink(link)
        except FileNotFoundError:
            return None
        except OSError:
            # `current` exists but is not a symlink: not our layout.
            return None
        return self.root / target

    def generations(self) -> list[tuple[int, Path]]:
        """All gen-<n> folders, oldest first."""
        found: list[tuple[int, Path]] = []
        if not self.root.is_dir():
            return found
        for entry in self.root.iterdir():
            m = _GEN_RE.match(entry.name)
            if m and entry.is_dir():
                found.append((int(m.group(1)), entry))
        return sorted(found)

    def new_generation(self) -> Path:
        """Create an empty, marked-as-building generation folder with a fresh number."""
        self.root.mkdir(parents=True, exist_ok=True)
        while True:
            gens = self.generations()
            number = (gens[-1][0] + 1) if gens else 1
            path = self.root / f"gen-{number:06d}"
            try:
                path.mkdir()
            except FileExistsError:
                continue  # another process took this number; take the next
            (path / BUILDING).write_text(str(os.getpid()))
            return path

    def finish(self, gen: Path) -> None:
        """Mark a generation complete, so clean-up will not treat it as a crashed build."""
        (gen / BUILDING).unlink(missing_ok=True)
        _fsync_dir(gen)

    def swap(self, gen: Path) -> None:
        """Point `current` at gen atomically (caller holds the layout lock)."""
        tmp = self.root / f".{CURRENT}.{os.getpid()}.tmp"
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        os.symlink(gen.name, tmp)
        link = self.root / CURRENT
        if link.exists() and not link.is_symlink():
            self.move_aside(link)
        os.replace(tmp, link)
        _fsync_dir(self.root)

    def move_aside(self, path: Path) -> Path:
        """Rename an unreadable generation so it can be inspected, and is never served again."""
        aside = self.root / f"corrupt-{path.name}-{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}"
        os.replace(path, aside)
        return aside

    def cleanup(self) -> None:
        """Remove generations no one should open any more (caller holds the layout lock)."""
        current = self.current()
        finished_older: list[Path] = []
        for _number, path in self.generations():
            if current is not None and path == current:
                continue
            marker = path / BUILDING
            if marker.exists():
                try:
                    pid = int(marker.read_text().strip() or "0")
                except (OSError, ValueError):
                    pid = 0
                if pid and _pid_alive(pid):
                    continue  # another process is building it right now
                shutil.rmtree(path, ignore_errors=True)  # a crashed build
                continue
            finished_older.append(path)
        # Keep the previous generation: a process that read `current` a moment before the swap
        # may still be opening it. Anything older has had a whole generation's time to move on.
        for path in finished_older[:-1]:
            shutil.rmtree(path, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    """Make a rename or a new file durable before anyone relies on it."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
