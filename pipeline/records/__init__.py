"""Typed records from an extracted `Document`: extraction datasets, table families, normalization,
validation, references, people, the citation graph, amendments."""
