"""Retroactive scans: a provider's archive hashed and matched against the banks on Dask, resumably.

When a bank or an incident arrives, a provider scans what it already hosts (``accord scan``). Items (files of a
directory, lines of a manifest, an fsspec URL) are cut into batches; workers of a Dask cluster read, hash and
match each batch against a copy of the banks' indexes they were handed (``work.py``), and send back only what
matched; the client writes every result to the database (``service.py``), so workers need no database access.
"""
