"""Curators' screens under /<lang>/collections/manage/: create, edit, add, note, order, publish.

Every screen works without JavaScript (move up/down buttons and a position field); `kb.js` adds
drag and drop, which sends the whole order through the same kind of form. Thin views: the domain
(`kb.collections`) checks permissions and input; a refused form is shown again with what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_datetime
from flask_babel import gettext as _

from indexer import Query
from kb import uow
from kb.accounts.forms import ConfirmForm, show_errors
from kb.collections import collections
from kb.collections import forms as cf
from kb.collections import items as collection_items
from kb.collections import reads as collection_reads
from kb.errors import N_, BadRequest, Conflict, ValidationError
from kb.models import Collection
from kb.search import index_sync as search
from kb.search.params import clean_text
from kb.search.service import get_index
from kb.web.auth import current_actor, login_required
from kb.web.database import get_session
from kb.web.i18n import install_lang
from kb.web.security import never_cache

bp = Blueprint("curation", __name__, url_prefix="/<lang>/collections/manage")
install_lang(bp)


@bp.before_request
@login_required
def signed_in() -> None:
    """Every curator page needs a signed-in account; the domain checks the role."""


bp.after_request(never_cache)


@bp.get("/")
def index() -> ResponseReturnValue:
    session = get_session()
    listing = collections.list_all(session, actor=current_actor())
    return render_template(
        "curation/index.html", collections=listing, counts=collection_reads.counts(session, listing)
    )


@bp.route("/new", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    collections.list_all(get_session(), actor=current_actor())  # the same permission
    form = cf.NewCollectionForm()
    if not form.validate_on_submit():
        return render_template("curation/new.html", form=form), 422 if form.is_submitted() else 200
    session = get_session()
    try:
        created = collections.create(
            session=session, actor=current_actor(), slug=form.slug.data, data=form.data_out()
        )
    except ValidationError as error:
        show_errors(form, error)
        return render_template("curation/new.html", form=form), 422
    uow.commit(session=session)
    flash(_("The collection is created, as a draft."), "success")
    return redirect(url_for("curation.edit", slug=created.slug))


def _collection(slug: str) -> Collection:
    return collections.for_curator(get_session(), actor=current_actor(), slug=slug)


def _edit_page(
    collection: Collection,
    *,
    form: cf.CollectionForm | None = None,
    add: cf.AddPracticeForm | None = None,
    notes: dict[int, cf.NoteForm] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    session = get_session()
    entries = collection_reads.entries(session, collection)
    if form is None:
        form = cf.CollectionForm(formdata=None, obj=collection)
        form.version.data = str(collection.version)
    note_forms = {
        e.item.practice_id: cf.NoteForm(formdata=None, prefix=f"p{e.item.practice_id}", obj=e.item)
        for e in entries
    } | (notes or {})
    return render_template(
        "curation/edit.html",
        collection=collection,
        entries=entries,
        form=form,
        add=add or cf.AddPracticeForm(formdata=None),
        note_forms=note_forms,
        move=cf.MoveForm(formdata=None),
        order=cf.OrderForm(formdata=None),
        confirm=ConfirmForm(formdata=None),
        found=_found(entries),
        q=clean_text(request.args.get("q", ""))[:200],
    ), status


def _found(entries: list[collection_reads.Entry]) -> list[Any]:
    """Practices matching the `q` of the edit page, to add in one click (those not yet in)."""
    text = clean_text(request.args.get("q", ""))[:200]
    if not text:
        return []
    session = get_session()
    query = Query(text=text, lang=g.lang, per_page=10)
    found = search.search(session=session, index=get_index(session), query=query)
    inside = {e.item.practice_id for e in entries}
    return [p for p in found.practices if p.id not in inside]


@bp.get("/<slug>")
def edit(slug: str) -> ResponseReturnValue:
    return _edit_page(_collection(slug))


@bp.post("/<slug>")
def save(slug: str) -> ResponseReturnValue:
    collection = _collection(slug)
    form = cf.CollectionForm()
    if not form.validate_on_submit():
        return _edit_page(collection, form=form, status=422)
    session = get_session()
    try:
        version = int(form.version.data or collection.version)
    except ValueError:
        version = collection.version
    try:
        collections.edit(
            session=session,
            actor=current_actor(),
            collection_id=collection.id or 0,
            data=form.data_out(),
            expected_version=version,
        )
    except ValidationError as error:
        show_errors(form, error)
        return _edit_page(collection, form=form, status=422)
    except Conflict:
        # Someone saved in between: keep what this person typed, on top of the new version.
        session.rollback()
        flash(
            _(
                "Someone else changed this collection meanwhile. Your text is kept below: "
                "check the collection, then save again."
            ),
            "error",
        )
        form.version.data = str(collection.version)
        return _edit_page(collection, form=form, status=409)
    uow.commit(session=session)
    flash(_("The collection is saved."), "success")
    return redirect(url_for("curation.edit", slug=slug))


@bp.post("/<slug>/items")
def add_item(slug: str) -> ResponseReturnValue:
    collection = _collection(slug)
    form = cf.AddPracticeForm()
    if not form.validate_on_submit():
        return _edit_page(collection, add=form, status=422)
    session = get_session()
    try:
        item = collection_items.add_item(
            session=session,
            actor=current_actor(),
            collection_id=collection.id or 0,
            practice_slug=form.practice.data,
        )
    except ValidationError as error:
        show_errors(form, error)
        return _edit_page(collection, add=form, status=422)
    uow.commit(session=session)
    flash(_("The practice is added at the end of the collection."), "success")
    return redirect(url_for("curation.edit", slug=slug, _anchor=f"item-{item.practice_id}"))


@bp.post("/<slug>/items/<int:practice_id>/note")
def note(slug: str, practice_id: int) -> ResponseReturnValue:
    collection = _collection(slug)
    form = cf.NoteForm(prefix=f"p{practice_id}")
    if not form.validate_on_submit():
        return _edit_page(collection, notes={practice_id: form}, status=422)
    session = get_session()
    try:
        collection_items.set_note(
            session=session,
            actor=current_actor(),
            collection_id=collection.id or 0,
            practice_id=practice_id,
            note_fr=form.note_fr.data or "",
            note_en=form.note_en.data or "",
        )
    except ValidationError as error:
        show_errors(form, error)
        return _edit_page(collection, notes={practice_id: form}, status=422)
    uow.commit(session=session)
    flash(_("The note is saved."), "success")
    return redirect(url_for("curation.edit", slug=slug, _anchor=f"item-{practice_id}"))


@bp.post("/<slug>/items/<int:practice_id>/move")
def move(slug: str, practice_id: int) -> ResponseReturnValue:
    collection = _collection(slug)
    form = cf.MoveForm()
    if not form.validate_on_submit():
        flash(_("Give a position between 1 and the number of practices."), "error")
        return _edit_page(collection, status=422)
    order = [e.item.practice_id for e in collection_reads.entries(get_session(), collection)]
    if practice_id not in order:
        raise BadRequest(
            N_("practice %(practice_id)s is not in this collection"), practice_id=practice_id
        )
    current = order.index(practice_id) + 1
    steps = {"up": current - 1, "down": current + 1}
    position = steps.get(form.direction.data or "", form.position.data or current)
    session = get_session()
    collection_items.move_item(
        session=session,
        actor=current_actor(),
        collection_id=collection.id or 0,
        practice_id=practice_id,
        position=position,
    )
    uow.commit(session=session)
    return redirect(url_for("curation.edit", slug=slug, _anchor=f"item-{practice_id}"))


@bp.post("/<slug>/order")
def order(slug: str) -> ResponseReturnValue:
    collection = _collection(slug)
    form = cf.OrderForm()
    if not form.validate_on_submit():
        raise BadRequest(N_("order: expected the practice ids, comma-separated"))
    try:
        ids = [int(part) for part in (form.order.data or "").split(",") if part.strip()]
    except ValueError as error:
        raise BadRequest(N_("order: expected the practice ids, comma-separated")) from error
    session = get_session()
    collection_items.reorder(
        session=session, actor=current_actor(), collection_id=collection.id or 0, order=ids
    )
    uow.commit(session=session)
    flash(_("The new order is saved."), "success")
    return redirect(url_for("curation.edit", slug=slug))


@bp.post("/<slug>/items/<int:practice_id>/remove")
def remove(slug: str, practice_id: int) -> ResponseReturnValue:
    collection = _collection(slug)
    if not ConfirmForm().validate_on_submit():
        raise BadRequest(N_("the form has expired; reload the page"))
    session = get_session()
    collection_items.remove_item(
        session=session,
        actor=current_actor(),
        collection_id=collection.id or 0,
        practice_id=practice_id,
    )
    uow.commit(session=session)
    flash(_("The practice is taken out of the collection."), "success")
    return redirect(url_for("curation.edit", slug=slug))


@bp.post("/<slug>/publish")
def publish(slug: str) -> ResponseReturnValue:
    return _set_state(slug, "published")


@bp.post("/<slug>/unpublish")
def unpublish(slug: str) -> ResponseReturnValue:
    return _set_state(slug, "draft")


def _set_state(slug: str, state: str) -> ResponseReturnValue:
    collection = _collection(slug)
    if not ConfirmForm().validate_on_submit():
        raise BadRequest(N_("the form has expired; reload the page"))
    session = get_session()
    collections.set_state(
        session=session, actor=current_actor(), collection_id=collection.id or 0, state=state
    )
    uow.commit(session=session)
    flash(
        _("The collection is published.")
        if state == "published"
        else _("The collection is back to draft: it is no longer public."),
        "success",
    )
    return redirect(url_for("curation.edit", slug=slug))


@bp.get("/<slug>/history")
def history(slug: str) -> ResponseReturnValue:
    collection = _collection(slug)
    revisions = collections.history(
        get_session(), actor=current_actor(), collection_id=collection.id or 0
    )
    return render_template(
        "curation/history.html",
        collection=collection,
        revisions=revisions,
        change_labels={action: label() for action, label in CHANGE_LABELS.items()},
        format_datetime=format_datetime,
    )


CHANGE_LABELS: dict[str, Callable[[], str]] = {
    "collection.create": lambda: _("Created"),
    "collection.edit": lambda: _("Title or introduction changed"),
    "collection.add_item": lambda: _("Practice added"),
    "collection.remove_item": lambda: _("Practice taken out"),
    "collection.note": lambda: _("Note changed"),
    "collection.reorder": lambda: _("Order changed"),
    "collection.publish": lambda: _("Published"),
    "collection.unpublish": lambda: _("Back to draft"),
}
