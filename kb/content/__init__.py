"""`content/` files <-> records: parse and validate with line numbers, import, canonical export.

The package follows the seams of the format:

    source         text of a file (size, encoding), front matter, YAML with the line of every key
    checker        typed access to a parsed document, errors recorded as `path:line: field: message`
    practice_file  one practice (a file or pasted text) -> PracticeData
    taxonomy_file  taxonomy.yaml -> Vocabulary
    event_file     events.yaml -> EventData
    page_file      pages/<slug>.<language>.md (a file or text) -> PageData
    folder         `load(directory)` checks every file at once and raises `ContentErrors`;
                   `apply` upserts a clean set in the caller's transaction

`export(session, directory)` (in `kb.content.export`) writes the canonical format, so that import
then export of the seed content gives byte-identical files.
"""
