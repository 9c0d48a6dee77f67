"""Front-matter fixes of issue 11 that sit next to lines the translators rewrote.

Run once after the translation branches (i11a, i11b, i11c) are merged: changing these lines in
the same branch as the translations would conflict (git treats adjacent changes as one).

    .venv/bin/python tools/issue11_after_merge.py && git diff --stat content/

- the public contacts of the English-language practices get their French names;
- Nice's evidence level matches its own evaluation text (activity figures reported in the press);
- Amsterdam's level no longer claims an independent evaluation: the dossier has a critical 2018
  quick-scan of the city's expertise, and no evaluation of the approach's outcomes.

Idempotent: a value already fixed is left alone.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from kb import content

ROOT = Path(__file__).resolve().parent.parent / "content" / "practices"
# English contact -> French name (official French name where the sources give one, else the
# original with a French gloss), as for the lead organisations.
FRENCH = {
    "Aarhus Municipality": "Municipalité d'Aarhus",
    "City of Amsterdam": "Ville d'Amsterdam",
    "City of Argenteuil": "Ville d'Argenteuil",
    "Barcelona City Council": "Mairie de Barcelone (Barcelona City Council)",
    "Calgary Police Service": "Calgary Police Service (service de police de Calgary)",
    "Finnish Ministry of the Interior": "Ministère finlandais de l'Intérieur",
    "Greater Manchester Combined Authority": (
        "Greater Manchester Combined Authority (autorité combinée du Grand Manchester)"
    ),
    "Mayor's Office for Policing and Crime (MOPAC)": (
        "Mayor's Office for Policing and Crime (MOPAC, bureau du maire de Londres pour la police "
        "et la criminalité)"
    ),
    "City of Malmö": "Ville de Malmö",
    "Manchester City Council": "Manchester City Council (conseil municipal de Manchester)",
    "City of Mechelen": "Ville de Malines (Mechelen)",
    "US Attorney's Office for the District of Minnesota": (
        "US Attorney's Office for the District of Minnesota (bureau du procureur fédéral du "
        "district du Minnesota)"
    ),
    "North Rhine-Westphalia Ministry of the Interior": (
        "Ministère de l'Intérieur de Rhénanie-du-Nord-Westphalie"
    ),
    "NYC Office for the Prevention of Hate Crimes": (
        "NYC Office for the Prevention of Hate Crimes (bureau de prévention des crimes de haine "
        "de la Ville de New York)"
    ),
    "Oslo Municipality": "Municipalité d'Oslo",
    "City of Ottawa": "Ville d'Ottawa",
    "Municipality of Rotterdam": "Municipalité de Rotterdam",
    "City of Toronto": "Ville de Toronto",
    "City of Vilvoorde": "Ville de Vilvorde (Vilvoorde)",
}


# Evidence levels checked against each practice's own evaluation text and the dossier.
EVIDENCE = {
    "nice-listening-cell-and-cmer": ("none-found", "activity-data"),
    "amsterdam-radicalisation-polarisation-approach": ("independent-evaluation", "none-found"),
}


def main() -> int:
    changed = 0
    for path in sorted(ROOT.glob("*.md")):
        errors: list[content.ContentError] = []
        parsed = content.parse_practice(path, errors)
        if parsed is None or errors:
            raise SystemExit("\n".join(str(e) for e in errors))
        record = original = parsed[0]
        french = FRENCH.get(record.contact_organisation or "")
        if record.language == "en" and french and not record.contact_organisation_fr:
            record = dataclasses.replace(record, contact_organisation_fr=french)
        old, new = EVIDENCE.get(record.slug, ("", ""))
        if record.evidence_level == old:
            record = dataclasses.replace(record, evidence_level=new)
        if record == original:
            continue
        path.write_text(content.render_practice(record), encoding="utf-8", newline="\n")
        changed += 1
    print(f"{changed} practice file(s) updated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
