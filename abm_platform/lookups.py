"""`field__any=[…]`: membership in a long list of values, sent to PostgreSQL as one array
parameter (`field = ANY(%s)`); elsewhere (and for a subquery) it is `__in`.

Django's `__in` sends one parameter per value. At thousands of ids per statement (planning a
batch of 5,000 enrolments) compiling each parameter and psycopg splitting a query with
thousands of placeholders cost more than the statement itself.
"""
from django.db.models import CharField, ForeignObject, IntegerField
from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In


class _ArrayParameter:
    lookup_name = "any"

    def as_postgresql(self, compiler, connection):
        field = getattr(self.lhs, "output_field", None)
        if (not self.rhs_is_direct_value() or len(getattr(self.lhs, "targets", ())) > 1
                or not hasattr(field, "get_db_prep_value")):
            return self.as_sql(compiler, connection)   # a subquery, a composite or reverse relation: IN
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = [field.get_db_prep_value(value, connection, prepared=True) for value in self.rhs if value is not None]
        return f"{lhs} = ANY(%s)", (*lhs_params, values)


class AnyOf(_ArrayParameter, In):
    pass


# On ids and keys only: registered on every field it would shadow a JSON key named "any".
IntegerField.register_lookup(AnyOf)   # AutoField and BigAutoField too
CharField.register_lookup(AnyOf)


@ForeignObject.register_lookup
class RelatedAnyOf(_ArrayParameter, RelatedIn):
    pass
