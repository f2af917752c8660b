"""Where documents come from: the manifest, fetching with retries, the content-addressed raw store, the per-document frame cache."""
