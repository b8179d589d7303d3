"""What the tests share besides fixtures (those are in the conftest.py files): no test module
imports another.

- `app`: an app with overrides, the `auth` actions, bearer headers, credits behind the API's back.
- `pg`: throw-away PostgreSQL databases; `legacy_schema`: the old service's `users` table.
- `audio`: decoding what the API answers; `mail`: a real SMTP server's inbox; `net`: free ports.
- `s3`: the bucket of the S3 tests; `documents`: EPUB files made by EbookLib; `browser`: registering
  through the page, axe-core's findings.
- `faults`: gunicorn processes and a PostgreSQL proxy that cuts connections; `workers`: job worker
  processes, and waiting for what they do.
"""
