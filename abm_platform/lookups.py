"""`field__any=[…]`: membership in a long list of values, sent to PostgreSQL as one array
parameter (`field = ANY(%s)`); elsewhere (and for a subquery) it is `__in`.

Django's `__in` sends one parameter per value. At thousands of ids per statement (planning a
batch of 5,000 enrolments) compiling each parameter and psycopg splitting a query with
thousands of placeholders cost more than the statement itself.
"""
from django.db.models import Field, ForeignObject
from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In


class _ArrayParameter:
    lookup_name = "any"

    def as_postgresql(self, compiler, connection):
        if not self.rhs_is_direct_value() or getattr(self.lhs, "targets", None) and len(self.lhs.targets) > 1:
            return self.as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values = [field.get_db_prep_value(value, connection, prepared=True) for value in self.rhs if value is not None]
        return f"{lhs} = ANY(%s)", (*lhs_params, values)


@Field.register_lookup
class AnyOf(_ArrayParameter, In):
    pass


@ForeignObject.register_lookup
class RelatedAnyOf(_ArrayParameter, RelatedIn):
    pass
