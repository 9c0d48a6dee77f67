"""Reading content text: size and encoding checks, front matter, YAML with the line of every key."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kb.errors import N_, Explained, Text, as_text, freeze

MAX_FILE_BYTES = 512 * 1024


@dataclass(frozen=True, init=False)
class ContentError(Explained):
    """One problem in a content file: where, and a message translated when shown (kb.errors)."""

    path: str
    line: int
    field: str
    text: Text

    def __init__(
        self, path: str, line: int, field: str, message: str | Text, /, **params: Any
    ) -> None:
        freeze(self, path=path, line=line, field=field, text=as_text(message, params))

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


class ContentErrors(Exception):
    """Every problem found in a content folder; nothing was imported."""

    def __init__(self, errors: list[ContentError]) -> None:
        super().__init__(f"{len(errors)} problem(s) in content")
        self.errors = errors


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Located:
    """The value of a YAML document plus the line (1-based, in the file) of every path in it."""

    def __init__(self, text: str, first_line: int) -> None:
        # Compose once (libyaml when available) and build the value from the same nodes.
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            self.value: Any = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
        self.lines: dict[str, int] = {}
        self.duplicates: list[str] = []
        self.first_line = first_line
        if node is not None:
            self._walk(node, "")

    def _walk(self, node: yaml.Node, path: str) -> None:
        self.lines[path] = node.start_mark.line + self.first_line
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                sub = f"{path}.{key_node.value}" if path else str(key_node.value)
                if sub in self.lines:
                    # YAML keeps the last value silently; a repeated key is an editing mistake.
                    self.duplicates.append(sub)
                self._walk(value_node, sub)
                self.lines[sub] = key_node.start_mark.line + self.first_line
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self._walk(item, f"{path}[{i}]")

    def line(self, path: str) -> int:
        """The line of `path`, or of its nearest parent that exists."""
        while path:
            if path in self.lines:
                return self.lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return self.first_line


def yaml_error(path: str, exc: yaml.YAMLError, first_line: int) -> ContentError:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + first_line if mark is not None else first_line
    problem = getattr(exc, "problem", None) or str(exc)
    return ContentError(path, line, "yaml", N_("invalid YAML: %(problem)s"), problem=problem)


def read_file(path: Path, errors: list[ContentError]) -> str | None:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            errors.append(
                ContentError(
                    str(path),
                    1,
                    "file",
                    N_("larger than %(max)s bytes"),
                    max=MAX_FILE_BYTES,
                )
            )
            return None
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        errors.append(ContentError(str(path), 1, "file", N_("not UTF-8 text")))
    except OSError as exc:
        errors.append(
            ContentError(
                str(path), 1, "file", N_("cannot be read: %(strerror)s"), strerror=exc.strerror
            )
        )
    return None


def split_front_matter(path: str, text: str) -> tuple[str, str] | ContentError:
    text = text.replace("\r\n", "\n")
    if not text.startswith("---\n"):
        return ContentError(
            path, 1, "front matter", N_("expected the file to start with a line '---'")
        )
    end = text.find("\n---\n", 3)
    if end == -1:
        if text.endswith("\n---"):
            end = len(text) - 4
        else:
            return ContentError(
                path, 1, "front matter", N_("no closing '---' line after the front matter")
            )
    return text[4 : end + 1], text[end + 5 :]
