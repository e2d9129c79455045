"""Batch cleaning of whole corpora (`hygiene clean`): JSON Lines and WARC readers, a resumable writer, an ordered
process pool.

Memory stays flat on any input size: records are streamed, at most a bounded number of chunks is in flight,
and results are written in input order as soon as they come back.

The path of a record: `jsonl.py` or `warc.py` reads it into a `records.Record`, `resume.py` says where a re-run
starts, `pool.py` spreads chunks of records over processes in order, `worker.py` cleans each into an
`records.Outcome`, and `clean.py` drives the run and writes the outcomes.
"""
