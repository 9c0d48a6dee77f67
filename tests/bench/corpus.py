"""Deterministic generator of realistic French/English practices and a fixed mixed query set."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from indexer import Document, SynonymGroup

SEED = 20240601

COUNTRIES: dict[str, list[str]] = {
    "FR": ["Paris", "Lyon", "Marseille", "Strasbourg", "Lille", "Nantes", "Toulouse", "Grenoble"],
    "BE": ["Bruxelles", "Gent", "Liège", "Antwerpen"],
    "DE": ["Berlin", "Hamburg", "München", "Köln"],
    "NL": ["Amsterdam", "Rotterdam", "Utrecht"],
    "GB": ["London", "Manchester", "Birmingham", "Leeds"],
    "ES": ["Madrid", "Barcelona", "Sevilla"],
    "IT": ["Roma", "Milano", "Torino"],
    "PT": ["Lisboa", "Porto"],
    "SE": ["Stockholm", "Malmö", "Göteborg"],
    "DK": ["København", "Aarhus"],
    "NO": ["Oslo", "Bergen"],
    "FI": ["Helsinki", "Tampere"],
    "PL": ["Warszawa", "Kraków", "Gdańsk"],
    "AT": ["Wien", "Graz"],
    "CH": ["Genève", "Zürich", "Lausanne"],
    "IE": ["Dublin", "Cork"],
    "CA": ["Montréal", "Toronto", "Québec"],
    "US": ["Boston", "Minneapolis", "Denver"],
    "MA": ["Rabat", "Casablanca"],
    "TN": ["Tunis", "Sfax"],
    "SN": ["Dakar"],
    "CI": ["Abidjan"],
    "LU": ["Luxembourg"],
    "GR": ["Athína", "Thessaloníki"],
    "HR": ["Zagreb"],
    "BA": ["Sarajevo", "Mostar"],
    "RS": ["Beograd"],
    "KE": ["Nairobi", "Mombasa"],
    "AU": ["Melbourne", "Sydney"],
    "NZ": ["Christchurch"],
}
CITIES = [(c, city) for c, cities in COUNTRIES.items() for city in cities][:80]
THEMES = [
    "hate",
    "violent-extremism",
    "polarisation",
    "discrimination",
    "social-cohesion",
    "local-democracy",
    "online-harms",
    "youth",
    "gender",
    "antisemitism",
    "anti-muslim-hatred",
    "racism",
    "lgbtiq",
    "conspiracy-theories",
    "school-violence",
    "prisons",
    "sport",
    "housing",
]
APPROACHES = [
    "education",
    "mediation",
    "mentoring",
    "participation",
    "research",
    "training",
    "communication",
    "exit-work",
    "sport",
    "culture",
    "victim-support",
    "policing",
]
TARGETS = [
    "youth",
    "teachers",
    "parents",
    "residents",
    "young-adults",
    "police",
    "victims",
    "social-workers",
    "elected-officials",
    "journalists",
]
EVIDENCE = ["anecdotal", "promising", "evaluated", "proven"]

FR_WORDS = (
    "prévention radicalisation haine discrimination quartier médiation jeunesse école "
    "citoyenneté dialogue polarisation extrémisme violence sécurité cohésion sociale "
    "association municipalité habitants formation enseignants parents éducateurs "
    "sensibilisation harcèlement racisme antisémitisme égalité inclusion participation "
    "démocratie locale confiance police justice réinsertion accompagnement mentorat "
    "famille réseau partenariat évaluation résultats atelier débat mémoire histoire "
    "religion laïcité rumeurs complot réseaux numériques signalement victimes soutien "
    "logement emploi sport culture musique théâtre bénévoles élus agents territoire "
    "stratégie observatoire données enquête rapport projet programme action initiative"
).split()
EN_WORDS = (
    "prevention radicalisation hatred discrimination neighbourhood mediation youth school "
    "citizenship dialogue polarization extremism violence safety cohesion social "
    "association municipality residents training teachers parents youth-workers "
    "awareness bullying racism antisemitism equality inclusion participation "
    "democracy local trust police justice reintegration support mentoring "
    "family network partnership evaluation results workshop debate memory history "
    "religion secularism rumours conspiracy online reporting victims counselling "
    "housing employment sport culture music theatre volunteers councillors staff area "
    "strategy observatory data survey report project programme action initiative"
).split()
FR_FUNC = "le la les des du de un une et en dans pour avec sur par au aux qui que est sont".split()
EN_FUNC = "the a an of and in to for with on by at from that which is are was were".split()
FR_PHRASES = [
    "discours de haine",
    "extrémisme violent",
    "cohésion sociale",
    "démocratie locale",
    "théories du complot",
    "réseaux sociaux",
    "médiation sociale",
    "lien social",
    "prévention de la radicalisation",
    "égalité des chances",
]
EN_PHRASES = [
    "hate speech",
    "violent extremism",
    "social cohesion",
    "local democracy",
    "conspiracy theories",
    "social media",
    "community mediation",
    "social bonds",
    "preventing radicalisation",
    "equal opportunities",
]


def _tail_words(rng: random.Random, lang: str, n: int) -> list[str]:
    """A Zipf-like long tail of rarer words so the lexicon is not tiny."""
    out = []
    for _ in range(n):
        rank = int(rng.paretovariate(0.7)) % 60000
        out.append(f"{'mot' if lang == 'fr' else 'word'}{rank}")
    return out


def _sentence(rng: random.Random, lang: str) -> str:
    vocab, func, phrases = (
        (FR_WORDS, FR_FUNC, FR_PHRASES) if lang == "fr" else (EN_WORDS, EN_FUNC, EN_PHRASES)
    )
    words: list[str] = []
    for _ in range(rng.randint(8, 16)):
        roll = rng.random()
        # Function words, domain words, domain phrases, then a long tail: real prose uses far
        # more distinct words than a domain list, so most of any text is the tail.
        if roll < 0.35:
            words.append(rng.choice(func))
        elif roll < 0.55:
            words.append(rng.choice(vocab))
        elif roll < 0.58:
            words.append(rng.choice(phrases))
        else:
            words.extend(_tail_words(rng, lang, 1))
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def _markdown_body(rng: random.Random, lang: str, target_words: int = 400) -> str:
    parts: list[str] = []
    count = 0
    headings = (
        ["Contexte", "Actions", "Résultats", "Leçons"]
        if lang == "fr"
        else ["Context", "Activities", "Results", "Lessons"]
    )
    h = 0
    while count < target_words:
        if count // 100 >= h and h < len(headings):
            parts.append(f"## {headings[h]}")
            h += 1
        if rng.random() < 0.2:
            items = [f"- **{_sentence(rng, lang)[:40]}** {_sentence(rng, lang)}" for _ in range(3)]
            parts.append("\n".join(items))
            count += sum(len(i.split()) for i in items)
        else:
            para = " ".join(_sentence(rng, lang) for _ in range(rng.randint(2, 5)))
            parts.append(para)
            count += len(para.split())
    return "\n\n".join(parts)


_MD_RE = re.compile(r"(^#+\s*|^- |\*\*|__|`)", re.MULTILINE)


def strip_markdown(text: str) -> str:
    """What the app's Markdown stripping leaves: plain text."""
    return _MD_RE.sub("", text)


@dataclass(frozen=True)
class Record:
    """A generated practice: the indexer document plus its Markdown body for FTS5."""

    document: Document
    markdown: str


def make_record(i: int) -> Record:
    """Practice number i, identical whatever the corpus size."""
    rng = random.Random(SEED * 1_000_003 + i)
    lang = "fr" if rng.random() < 0.54 else "en"
    country, city = CITIES[rng.randrange(len(CITIES))]
    themes = tuple(rng.sample(THEMES, rng.randint(1, 3)))
    title_fr = _sentence(rng, "fr")[:70].rstrip(". ")
    title_en = _sentence(rng, "en")[:70].rstrip(". ")
    markdown = _markdown_body(rng, lang)
    doc = Document(
        id=i + 1,
        slug=f"practice-{i + 1}",
        version=1,
        title_fr=f"{title_fr} à {city}",
        title_en=f"{title_en} in {city}",
        summary_fr=" ".join(_sentence(rng, "fr") for _ in range(2)),
        summary_en=" ".join(_sentence(rng, "en") for _ in range(2)),
        body=strip_markdown(markdown),
        language=lang,
        cities=(city,),
        country=country,
        themes=themes,
        approaches=tuple(rng.sample(APPROACHES, rng.randint(1, 2))),
        targets=tuple(rng.sample(TARGETS, rng.randint(1, 2))),
        evidence=rng.choice(EVIDENCE),
        year=rng.randint(1998, 2025),
        published=1_500_000_000.0 + i * 3600.0,
        extra_text=" ".join(themes).replace("-", " "),
    )
    return Record(doc, markdown)


@dataclass(frozen=True)
class BenchQuery:
    """One query of the fixed set: its kind, text and facet filters."""

    kind: str
    text: str
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()


def query_set() -> list[BenchQuery]:
    """200 queries: 60 terms, 50 two-term ANDs, 50 phrases, 40 filter + term."""
    rng = random.Random(SEED)
    out: list[BenchQuery] = []
    vocab = FR_WORDS + EN_WORDS
    for n in range(60):
        word = rng.choice(vocab)
        if n % 4 == 0:  # some typed without accents
            word = word.replace("é", "e").replace("è", "e")
        if n % 10 == 9:
            word = f"mot{rng.randint(50, 5000)}"  # rare
        out.append(BenchQuery("term", word))
    for _ in range(50):
        lang_words = rng.choice([FR_WORDS, EN_WORDS])
        out.append(BenchQuery("and", f"{rng.choice(lang_words)} {rng.choice(lang_words)}"))
    for _ in range(50):
        out.append(BenchQuery("phrase", f'"{rng.choice(FR_PHRASES + EN_PHRASES)}"'))
    for n in range(40):
        facet = (
            ("country", (rng.choice(list(COUNTRIES)),))
            if n % 2
            else ("theme", (rng.choice(THEMES),))
        )
        out.append(BenchQuery("filter", rng.choice(vocab), (facet,)))
    return out


def seed_synonyms(folder: str | None = None) -> list[SynonymGroup]:
    """The seed taxonomy's synonym groups, as `kb serve` opens its index with."""
    from pathlib import Path

    folder = folder or str(Path(__file__).resolve().parents[2] / "content")
    from kb.catalogue.taxonomy import synonym_groups
    from kb.content.source import ContentError
    from kb.content.taxonomy_file import parse_taxonomy

    errors: list[ContentError] = []
    vocabulary = parse_taxonomy(Path(folder) / "taxonomy.yaml", errors)
    assert not errors, errors
    return synonym_groups(vocabulary)
