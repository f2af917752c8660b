"""The layers of the code, lowest first: the one place the order is written down.

A module may import modules of its own layer and of the layers below it, never above, and no
two modules may import each other (directly or through others), whether the import sits at the
top of the module or inside a function. Names joined by ``|`` are independent layers of the
same level: they may import the layers below, not each other. A module belongs to the layer
with the longest matching dotted prefix (``pipeline.store.read`` → ``pipeline.store``).
``tests/test_architecture.py`` enforces this; ``docs/architecture.md`` explains each layer.

This module is data only (no imports), so anything may read it.
"""

LAYERS: tuple[str, ...] = (
    "schemas",                              # column names, types, descriptions; vocabularies (csv, yaml)
    "pipeline.core",                        # errors, text utilities, version, missing values
    "pipeline.parsing",                     # printed values: numbers, money, units, dates, language
    "extractors",                           # PDF → Document (pdfplumber, camelot)
    "pipeline.sources | pipeline.records",  # manifest/fetch/raw store/cache | Document → typed records
    "pipeline.store",                       # Delta tables: publish, read, release diff
    "pipeline.versions",                    # legal versions: consolidation, as-of, norm diffs
    "pipeline.runs | pipeline",             # one run as library functions | the package facade (load)
    "flows",                                # Prefect orchestration of pipeline.runs
    "pipeline.app",                         # the command line: the one place that knows library and flows
    "tools",                                # docs generation, the sample corpus renderer
    "bench",                                # benchmarks against independent truth
)

# modules directly in pipeline/ (the facade layer ``pipeline``); every other module of the
# library lives in a layer package
FACADE_MODULES: tuple[str, ...] = ("pipeline", "pipeline.layers")

# the largest a module of pipeline/, extractors/ or flows/ may grow (lines), so each one reads
# in one sitting; split along a real seam when it would be exceeded
MAX_MODULE_LINES = 400
