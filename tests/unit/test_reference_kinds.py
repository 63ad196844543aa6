"""Every kind of merchant code is declared once (`core.reference_kinds`), and both faces offer
exactly the declared kinds: GraphQL a type, a query and three mutations each, Carriyo four
routes each. A kind missing from the declaration, or a face writing one by hand beside it,
fails here."""

from __future__ import annotations

from core.reference_kinds import REFERENCE_KINDS
from domain.reference import ReferenceKind
from graphql_api.schema import schema
from rest.carriyo.reference import ROUTES


def test_every_kind_is_declared_once() -> None:
    declared = [faces.kind for faces in REFERENCE_KINDS]
    assert sorted(declared) == sorted(ReferenceKind)
    assert len({faces.name for faces in REFERENCE_KINDS}) == len(REFERENCE_KINDS)
    assert len({faces.path for faces in REFERENCE_KINDS}) == len(REFERENCE_KINDS)


def test_graphql_offers_each_declared_kind() -> None:
    graphql = schema._schema
    queries = graphql.query_type.fields
    mutations = graphql.mutation_type.fields
    code = graphql.get_type("ReferenceCode")
    for faces in REFERENCE_KINDS:
        view = graphql.get_type(faces.name)
        assert code in view.interfaces, faces.name
        assert str(queries[faces.plural].type) == f"[{faces.name}!]!"
        for verb in ("create", "update", "delete"):
            assert f"{verb}{faces.name}" in mutations
    reference_mutations = {
        name for name, field in mutations.items() if str(field.type) == "ReferenceCodePayload!"
    }
    assert reference_mutations == {
        f"{verb}{faces.name}" for faces in REFERENCE_KINDS for verb in ("create", "update")
    }


def test_carriyo_offers_each_declared_kind() -> None:
    routes = {(route.method, route.path) for route in ROUTES}
    expected = set()
    for faces in REFERENCE_KINDS:
        base = f"/returns/{faces.path}"
        one = f"{base}/{{{faces.code_param}}}"
        expected |= {("POST", base), ("GET", base), ("PUT", one), ("DELETE", one)}
    assert routes == expected
