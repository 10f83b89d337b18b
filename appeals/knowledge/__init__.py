"""The knowledge base for consultations: answering a question at first contact instead of dispatching it.

  models.py    entries (owned by a unit, scoped to a place), their immutable versions, the answers
               given from them (which version, to which consultation) and residents' ratings
  text.py      segmentation (jieba for Chinese, a light stemmer for English), synonyms, stop words:
               the one owner of what a "token" is, for the index and the query alike
  index.py     the search index kept on the entry (tokens per phrasing, term counts, PostgreSQL's tsvector)
  search.py    the selector: candidates from the index, scored by relevance, place and resolutions
  services.py  edits (a new draft version), publishing (a head of the owning unit), answering at
               first contact, ratings, proposals from a unit's answer
  rules.py     who may edit or publish an entry
  io.py        import (CSV, .xlsx; validated, with a dry run) and export
  stats.py     consultations answered at first contact; staleness per unit
Nothing here imports dispatch: the edges (console, dashboard) call in.
"""
