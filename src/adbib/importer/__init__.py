"""The import, split along the lines it has (the only code that writes papers).

- :mod:`adbib.importer.files` — a file read safely and its format detected, whether it was
  imported before (no database layer), and ``import_files``, what ``adbib import`` calls;
- :mod:`adbib.importer.report` — what an import tells its user (plain dataclasses);
- :mod:`adbib.importer.vocabulary` — venue, dataset and category rows: the vocabulary files
  synced in, and one get-or-create-by-alias-key path for every value a source names;
- :mod:`adbib.importer.revisions` — which list a file is a revision of;
- :mod:`adbib.importer.writer` — one file's records resolved (:mod:`adbib.resolve` holds the
  identity and merge rules) and written chunk by chunk, in the caller's transaction.

:mod:`adbib.store` is the entry point (``ingest``, ``add_paper``, ``merge_papers``): it reads the
file, opens the one transaction and hands it to the writer.
"""
