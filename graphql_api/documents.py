"""Query texts, parsed and validated once per schema, in memory that stays bounded.

strawberry's ParserCache and ValidationCache are `functools.lru_cache`s counted in entries
only, and the validation cache's key is the document itself, so each pinned a document
whatever the other evicted. Here one `BoundedCache` (graphql_api/bounded_cache.py) per
schema holds, by query text, the document and its validation errors together: they are
kept and dropped as one, within a bound on entries and on the bytes of text.

The POST pipeline (graphql_api/pipeline.py) reads the same cache. A query text over
`max_query_bytes` is refused (LIMIT_EXCEEDED) before it is parsed: here for POST and GET,
whose errors in `on_parse` strawberry answers; websocket operations are
refused by their protocol handlers (graphql_api/websocket.py) before strawberry runs them,
since there an error raised by an extension would end the operation without a word.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSyntaxError,
    parse,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document
from strawberry.types import ExecutionContext

from domain.errors import ErrorCode
from graphql_api.bounded_cache import BoundedCache, text_bytes


def parse_document(query: str, *, max_tokens: int | None) -> DocumentNode:
    """graphql-core's `parse`, without its token chain. Every token, comments included,
    links to the next and the previous one: a reference cycle per document that only a
    full garbage collection frees, long after the cache let it go. No one reads the chain
    once the parser is done (nodes keep their own first and last token, and offsets), so
    it is cut: comment tokens go at once, and a dropped document is freed when dropped."""
    document = parse(query, max_tokens=max_tokens)
    token = document.loc.start_token if document.loc else None
    while token is not None:
        token.prev, token.next, token = None, None, token.next
    return document


def query_size_error(size: int, limit: int) -> GraphQLError:
    return GraphQLError(
        f"the query text is {size} bytes, over the limit of {limit} bytes; send a smaller "
        "document (comments count too)",
        extensions={"code": ErrorCode.LIMIT_EXCEEDED.value},
    )


Rules = tuple[type[ASTValidationRule], ...]

# Texts found valid, by every schema of the process: the same text against the same types
# (`query_type`: every schema `build_schema` makes shares them) and the same rule classes is
# valid again. A server has one schema and gains nothing; the test suite builds one per test
# (an app each), and validating is the dearest step of a small request. Only a digest of the
# text is kept, not the text, and only valid verdicts (an error holds its document's nodes).
_VALID: set[tuple[bytes, GraphQLObjectType, Rules]] = set()
MAX_VALID_TEXTS = 100_000


@dataclass(slots=True)
class ParsedDocument:
    document: DocumentNode
    text: str = ""
    errors: list[GraphQLError] | None = None  # None: not validated yet

    def validated(self, schema: GraphQLSchema, rules: Rules) -> list[GraphQLError]:
        """The document's validation errors against the schema's rules, found once: the
        rules (graphql_api/policies.py) are the same for every request and both paths."""
        if self.errors is None:
            self.errors = self._validate(schema, rules)
        return self.errors

    def _validate(self, schema: GraphQLSchema, rules: Rules) -> list[GraphQLError]:
        digest = hashlib.blake2b(self.text.encode("utf-8", "surrogatepass")).digest()
        key = (digest, schema.query_type, rules)
        if self.text and key in _VALID:
            return []
        errors = validate_document(schema, self.document, rules)
        if self.text and not errors:
            if len(_VALID) >= MAX_VALID_TEXTS:
                _VALID.clear()
            _VALID.add(key)
        return errors


class DocumentCache:
    """The parsed and validated documents of one schema, by query text."""

    def __init__(
        self, cache: BoundedCache[str, ParsedDocument], *, max_query_bytes: int, max_tokens: int
    ) -> None:
        self.cache = cache
        self.max_query_bytes = max_query_bytes
        self.max_tokens = max_tokens

    def extension(self) -> Callable[[], SchemaExtension]:
        """A fresh extension instance per request, as strawberry wants, over this cache."""
        return lambda: _CachedDocuments(self)

    def size_error(self, query: str) -> GraphQLError | None:
        """The refusal of a text over the size limit, which nothing should parse."""
        size = text_bytes(query)
        return query_size_error(size, self.max_query_bytes) if size > self.max_query_bytes else None

    def parsed(self, query: str) -> ParsedDocument:
        """The query's document, parsed now or before; refused over the size limit."""
        if error := self.size_error(query):
            raise error
        size = text_bytes(query)  # O(1) for ASCII, as a query text nearly always is
        entry = self.cache.get(query)
        if entry is None:
            entry = ParsedDocument(parse_document(query, max_tokens=self.max_tokens), query)
            self.cache.put(query, entry, size)
        return entry


class _CachedDocuments(SchemaExtension):
    """Parses through the cache, and validates a document once: the rules are the
    schema's, the same for every request."""

    def __init__(self, documents: DocumentCache) -> None:
        self.documents = documents
        self.parsed: ParsedDocument | None = None

    def on_parse(self) -> Iterator[None]:
        """A text that does not parse is left to strawberry's own `parse`, with the same
        token limit: it fails again where every transport reports it (a subscription's
        error raised here would end it without one)."""
        context = self.execution_context
        context.parse_options["max_tokens"] = self.documents.max_tokens
        if context.graphql_document is None and context.query:
            try:
                self.parsed = self.documents.parsed(context.query)
            except GraphQLSyntaxError:
                pass
            else:
                context.graphql_document = self.parsed.document
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        parsed = self.parsed
        if parsed is None or parsed.document is not context.graphql_document:
            context.pre_execution_errors = _validate(context)
        else:
            rules = tuple(context.validation_rules)
            context.pre_execution_errors = parsed.validated(context.schema._schema, rules)
        yield


def _validate(context: ExecutionContext) -> list[GraphQLError]:
    document = context.graphql_document
    assert document is not None, "validation follows parsing"
    return validate_document(context.schema._schema, document, context.validation_rules)
