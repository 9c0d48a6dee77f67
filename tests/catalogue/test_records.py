"""The public record of a practice is built once, from the field declarations."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from kb import db
from kb.catalogue import fields, records
from kb.catalogue.reads import get_by_slug, to_data
from kb.models import Practice


def _urls(slug: str) -> dict[str, str]:
    return {"fr": f"https://kb.test/fr/practices/{slug}", "en": f"https://kb.test/en/practices/{slug}"}


def test_a_record_carries_exactly_the_declared_json_fields(seeded_app: Flask) -> None:
    with Session(db.get_engine(seeded_app)) as session:
        practice = get_by_slug(session, "aarhus-model")
        record = records.practice_record(session, practice, urls=_urls)
    assert list(record) == [f.name for f in fields.carried_by("json")]
    assert record["urls"] == _urls("aarhus-model")


def test_batched_records_equal_the_stored_practices_read_one_by_one(seeded_app: Flask) -> None:
    with Session(db.get_engine(seeded_app)) as session:
        all_published = list(session.exec(select(Practice).where(Practice.state == "published")))
        batch = records.practice_records(session, all_published, urls=_urls)
        for practice, record in zip(all_published, batch, strict=True):
            assert records.to_practice_data(record) == to_data(session, practice)
            assert record["version"] == practice.version


def test_the_api_serves_the_same_record(seeded_app: Flask, reader: FlaskClient) -> None:
    api = reader.get("/api/v1/practices/aarhus-model").get_json()
    with seeded_app.test_request_context(), Session(db.get_engine(seeded_app)) as session:
        from kb.web.record_urls import practice_urls

        practice = get_by_slug(session, "aarhus-model")
        assert api == records.practice_record(session, practice, urls=practice_urls)


def test_the_catalogue_is_read_in_bounded_batches_in_slug_order(seeded_app: Flask) -> None:
    with Session(db.get_engine(seeded_app)) as session:
        batches = list(records.published_batches(session, batch=7))
        slugs = [p.slug for b in batches for p in b]
        assert all(len(b) <= 7 for b in batches)
        assert slugs == sorted(slugs)
        assert len(slugs) == records.published_count(session)


def test_a_selection_keeps_its_order_and_skips_unknown_slugs(seeded_app: Flask) -> None:
    slugs = records.parse_slugs(" aarhus-model , nope,aarhus-model,")
    assert slugs == ["aarhus-model", "nope"]
    with Session(db.get_engine(seeded_app)) as session:
        assert [p.slug for p in records.published_by_slugs(session, slugs)] == ["aarhus-model"]


def test_every_field_has_both_labels_and_a_description() -> None:
    for field in fields.FIELDS:
        assert field.label_fr and field.label_en and field.description, field.name
    assert fields.record_schema()["required"] == [f.name for f in fields.carried_by("json")]
