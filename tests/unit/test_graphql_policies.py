"""One list of policies feeds both ways through GraphQL (graphql_api/policies.py): the
schema strawberry runs for GET and websockets has no extension that is not made from a
policy of that list, and the POST pipeline reads the same list, so a check cannot be added
to one path and missed by the other (tests/e2e/graphql/test_graphql_pipeline.py shows a new
policy applied on POST and GET)."""

from __future__ import annotations

from graphql import specified_rules
from strawberry.extensions import AddValidationRules

from graphql_api.documents import DocumentCache
from graphql_api.limits import GraphQLLimits
from graphql_api.policies import Operation, Policy
from graphql_api.schema import build_schema, standard_policies


class Counting(Policy):
    def before(self, operation: Operation) -> None:
        pass


def extension_types(factories: list) -> list[type]:  # type: ignore[type-arg]
    return [type(factory() if callable(factory) else factory) for factory in factories]


def test_the_schema_runs_no_extension_but_its_policies() -> None:
    """An extension added to the schema beside the policies (a permission check, say)
    would run on GET and websockets and be skipped by POST's pipeline: there is none."""
    extra = Counting()
    schema = build_schema(policies=[*standard_policies(GraphQLLimits()), extra])
    made = [policy.extension() for policy in schema.policies]
    expected = [
        type(schema.documents.extension()()),
        AddValidationRules,
        *(type(factory()) for factory in made if factory is not None),
    ]
    assert extension_types(schema.extensions) == expected
    assert extra in schema.policies


def test_both_paths_validate_with_the_same_rules() -> None:
    """Validation errors are cached with the document whichever path validated it first,
    so both must validate with the same rules: GraphQL's own, then every policy's."""
    limits = GraphQLLimits(introspection=False)
    schema = build_schema(limits)
    rules = schema.policies.validation_rules
    added = [factory() for factory in schema.extensions]
    [validation] = [e for e in added if isinstance(e, AddValidationRules)]
    assert rules == (*specified_rules, *validation.validation_rules)
    assert len(validation.validation_rules) == 3  # depth, aliases, no introspection


def test_every_standard_check_is_a_policy() -> None:
    names = [type(policy).__name__ for policy in standard_policies(GraphQLLimits())]
    assert names == [
        "OperationRecorder",
        "QueryShape",
        "QueryCostLimiter",
        "QueryTimeout",
        "ReadOnlyGuard",
        "MaskedErrors",
    ]
    assert isinstance(build_schema().documents, DocumentCache)
