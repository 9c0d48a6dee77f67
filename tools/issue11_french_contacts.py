"""Give the public contacts of the English-language practices their French names (issue 11).

Run once after the translation branches are merged (the contact line sits next to `lessons`,
which the translators rewrote, so changing it in the same branch would conflict):

    .venv/bin/python tools/issue11_french_contacts.py && git diff --stat content/

Idempotent: a contact that already has a French name is left alone.
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


def main() -> int:
    changed = 0
    for path in sorted(ROOT.glob("*.md")):
        errors: list[content.ContentError] = []
        parsed = content.parse_practice(path, errors)
        if parsed is None or errors:
            raise SystemExit("\n".join(str(e) for e in errors))
        record = parsed[0]
        french = FRENCH.get(record.contact_organisation or "")
        if record.language != "en" or not french or record.contact_organisation_fr:
            continue
        record = dataclasses.replace(record, contact_organisation_fr=french)
        path.write_text(content.render_practice(record), encoding="utf-8", newline="\n")
        changed += 1
    print(f"{changed} contact(s) given a French name")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
