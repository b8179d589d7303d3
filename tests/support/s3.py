"""The S3 tests' bucket, on moto's server (the `s3` fixture starts it)."""

BUCKET = "kokoro-audio"
