"""One run as plain library functions (fetch, extract, validate, publish) that the CLI and the Prefect flows both call. No Prefect here."""
