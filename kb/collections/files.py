"""A collection as a file, `content/collections/<slug>.yaml`: written by exports, read back by
`kb import`.

```yaml
slug: youth-and-online-hate
title: {fr: …, en: …}
intro: {fr: …, en: …}        # Markdown, literal blocks when multi-line
state: published             # or draft
practices:                   # in the collection's order
- slug: aarhus-model
  note: {fr: …, en: …}       # the curator's note, left out when empty
```

The practices are named by slug and must be in the same content folder (or already published).
Reading uses the content reader's line-numbered YAML checker, so errors point into the file;
applying goes through the one writer of collections (`kb.collections`), so every change is
versioned and audited like one made on the curators' screens.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from kb.catalogue import records
from kb.collections import collections
from kb.collections import items as collection_items
from kb.collections.collections import CollectionData
from kb.collections.reads import Entry, entries
from kb.content.checker import Checker, open_file  # the content reader's line-numbered YAML
from kb.content.export import dump_yaml
from kb.content.source import ContentError
from kb.errors import N_, FieldError, ValidationError
from kb.models import Collection
from kb.permissions import Actor

FOLDER = "collections"
KEYS = ("slug", "title", "intro", "state", "practices")
ITEM_KEYS = ("slug", "note")
STATES = ("draft", "published")


@dataclass(frozen=True)
class ItemFile:
    slug: str
    note_fr: str = ""
    note_en: str = ""


@dataclass(frozen=True)
class CollectionFile:
    """What a collection file holds: the collection's content, not its history or versions."""

    slug: str
    data: CollectionData
    state: str
    items: tuple[ItemFile, ...]


@dataclass
class ImportCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def of_collection(collection: Collection, chosen: Iterable[Entry]) -> CollectionFile:
    """The file of `collection` with the entries given (those whose practices travel with it)."""
    return CollectionFile(
        slug=collection.slug,
        data=CollectionData(
            collection.title_fr, collection.title_en, collection.intro_fr, collection.intro_en
        ),
        state=collection.state,
        items=tuple(ItemFile(e.slug, e.item.note_fr, e.item.note_en) for e in chosen),
    )


def path_of(slug: str) -> str:
    return f"{FOLDER}/{slug}.yaml"


def render(file: CollectionFile) -> str:
    """The YAML text of a collection file, keys in the documented order."""
    data: dict[str, Any] = {
        "slug": file.slug,
        "title": {"fr": file.data.title_fr, "en": file.data.title_en},
    }
    if file.data.intro_fr or file.data.intro_en:
        data["intro"] = {"fr": file.data.intro_fr, "en": file.data.intro_en}
    data["state"] = file.state
    data["practices"] = [
        {"slug": i.slug, **({"note": {"fr": i.note_fr, "en": i.note_en}} if _noted(i) else {})}
        for i in file.items
    ]
    return dump_yaml(data)


def _noted(item: ItemFile) -> bool:
    return bool(item.note_fr or item.note_en)


def export_all(*, session: Session, directory: Path) -> int:
    """Write every collection (drafts included) under `directory/collections/`; the count."""
    rows = list(session.exec(select(Collection).order_by(Collection.slug)))
    if rows:
        (directory / FOLDER).mkdir(parents=True, exist_ok=True)
    for collection in rows:
        kept = [e for e in entries(session, collection) if e.status != "removed"]
        text = render(of_collection(collection, kept))
        (directory / path_of(collection.slug)).write_text(text, encoding="utf-8", newline="\n")
    return len(rows)


# --- reading ----------------------------------------------------------------------------------


def load(
    directory: Path, *, practice_slugs: Iterable[str], errors: list[ContentError]
) -> list[CollectionFile]:
    """Every `collections/*.yaml` of a content folder, checked; problems go to `errors`."""
    known = set(practice_slugs)
    out: list[CollectionFile] = []
    for path in sorted((directory / FOLDER).glob("*.yaml")):
        opened = open_file(path, errors, front_matter=False)
        if opened is None:
            continue
        check = opened[0]
        parsed = _parse(check, known)
        if parsed is not None and parsed.slug != path.stem:
            check.error("slug", N_("expected %(stem)r, the file's name"), stem=path.stem)
        if parsed is not None:
            out.append(parsed)
    return out


def _parse(check: Checker, known: set[str]) -> CollectionFile | None:
    raw = check.mapping(check.located.value, "", KEYS)
    if not raw:
        return None
    slug = check.text(raw, "slug", "slug") or ""
    for problem in collections.validate_slug(slug):
        check.error("slug", problem.text)
    title_fr, title_en = check.bilingual(raw, "title", "title")
    intro_fr, intro_en = check.bilingual(raw, "intro", "intro") if "intro" in raw else ("", "")
    data = CollectionData(title_fr, title_en, intro_fr, intro_en)
    for problem in collections.validate(data):
        name, lang = problem.field.rsplit("_", 1)
        check.error(f"{name}.{lang}", problem.text)
    state = check.text(raw, "state", "state") or ""
    if state not in STATES:
        check.error("state", N_("expected one of: %(choices)s"), choices=", ".join(STATES))
    items = _items(check, raw.get("practices"), known)
    return CollectionFile(slug, data, state, items)


def _items(check: Checker, value: Any, known: set[str]) -> tuple[ItemFile, ...]:
    if not isinstance(value, list):
        check.error("practices", N_("expected a list of practices (one '- slug: …' each)"))
        return ()
    if len(value) > collections.ITEMS_MAX:
        check.error(
            "practices", N_("at most %(max)s practices"), max=collections.ITEMS_MAX
        )
    out: list[ItemFile] = []
    seen: set[str] = set()
    for i, entry in enumerate(value):
        where = f"practices[{i}]"
        item = check.mapping(entry, where, ITEM_KEYS)
        slug = check.text(item, "slug", f"{where}.slug") or ""
        if slug not in known:
            check.error(f"{where}.slug", N_("no practice %(slug)r in this folder"), slug=slug)
        elif slug in seen:
            check.error(f"{where}.slug", N_("this practice is listed twice"))
        seen.add(slug)
        note_fr, note_en = ("", "")
        if "note" in item:
            note_fr, note_en = check.bilingual(item, "note", f"{where}.note")
        for lang, note in (("fr", note_fr), ("en", note_en)):
            if len(note) > collections.NOTE_MAX:
                check.error(
                    f"{where}.note.{lang}",
                    N_("at most %(max)s characters"),
                    max=collections.NOTE_MAX,
                )
        out.append(ItemFile(slug, note_fr, note_en))
    return tuple(out)


# --- applying ---------------------------------------------------------------------------------


def apply(*, session: Session, actor: Actor, files: Sequence[CollectionFile]) -> ImportCounts:
    """Make each collection equal to its file, through the collections writer (flushed only)."""
    counts = ImportCounts()
    for file in files:
        found = session.exec(select(Collection).where(Collection.slug == file.slug)).first()
        if found is None:
            found = collections.create(session=session, actor=actor, slug=file.slug, data=file.data)
            counts.created += 1
            _sync(session, actor, found, file)
            continue
        before = found.version
        _sync(session, actor, found, file)
        if found.version == before:
            counts.unchanged += 1
        else:
            counts.updated += 1
    return counts


def _sync(session: Session, actor: Actor, collection: Collection, file: CollectionFile) -> None:
    assert collection.id is not None
    cid = collection.id
    collections.edit(session=session, actor=actor, collection_id=cid, data=file.data)
    wanted = {i.slug: i for i in file.items}
    current = collections.items_of(session, cid)
    # Exports leave out the practices that are no longer public: the file says nothing of
    # them, so they stay where they are (reading a collection's own export back changes nothing).
    public = {p.id for p in records.published_by_ids(session, [i.practice_id for i in current])}
    kept = {i.practice_id for i in current if i.practice_id not in public}
    for item in current:
        if item.practice_slug not in wanted and item.practice_id not in kept:
            collection_items.remove_item(
                session=session, actor=actor, collection_id=cid, practice_id=item.practice_id
            )
    _upsert_items(session, actor, file, cid, {i.practice_slug: i.practice_id for i in current})
    ids = {item.practice_slug: item.practice_id for item in collections.items_of(session, cid)}
    order = [ids[i.slug] for i in file.items]
    for position, item in enumerate(current):
        if item.practice_id in kept and item.practice_slug not in wanted:
            order.insert(min(position, len(order)), item.practice_id)
    collection_items.reorder(session=session, actor=actor, collection_id=cid, order=order)
    collections.set_state(session=session, actor=actor, collection_id=cid, state=file.state)


def _upsert_items(
    session: Session, actor: Actor, file: CollectionFile, cid: int, present: dict[str, int]
) -> None:
    """Add the file's new practices and set the notes of those already in the collection."""
    for want in file.items:
        if want.slug in present:
            collection_items.set_note(
                session=session,
                actor=actor,
                collection_id=cid,
                practice_id=present[want.slug],
                note_fr=want.note_fr,
                note_en=want.note_en,
            )
            continue
        try:
            collection_items.add_item(
                session=session,
                actor=actor,
                collection_id=cid,
                practice_slug=want.slug,
                note_fr=want.note_fr,
                note_en=want.note_en,
            )
        except ValidationError as exc:  # e.g. the practice is in the database but archived
            where = f"{path_of(file.slug)}: {want.slug}"
            raise ValidationError([FieldError(where, e.text) for e in exc.errors]) from exc
