"""Legal versions: consolidation of amended norms, the as-of view, comparison of norm revisions and its reports."""
