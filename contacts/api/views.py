"""Contacts API: contacts (with the CRM bulk upsert and their lifecycle, DISC, consent and
erasure actions), the lead-to-account review queue, buying groups, personas and title rules."""
from collections import Counter
from dataclasses import asdict

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from abm_platform.api.serializers import WorkspaceScopedSerializer
from abm_platform.api.errors import raise_record_errors
from abm_platform.api.viewsets import WorkspaceConfigViewSet, WorkspaceViewSet
from abm_platform.tenancy.roles import ADMINS, MARKETERS, SELLERS
from accounts.models import Account
from contacts.engine import disc as disc_engine
from contacts.filters import ContactFilter
from contacts.models import ConsentStatus, Contact, DiscSource, LifecycleStage, MatchReview, Persona, TitleRule
from contacts.models.contacts import CHANNELS
from contacts.selectors import buying_group, contact_queryset
from contacts.services.disc import disc_assess_questionnaire, disc_record
from contacts.services.inference import contact_set_buying_profile
from contacts.services.lifecycle import contact_lifecycle_move, contact_sales_accept, contact_sales_reject
from contacts.services.matching import contacts_match_start, match_review_decide
from contacts.services.privacy import contact_consent_set, contact_erase
from contacts.services.upsert import KNOWN_FIELDS, contacts_upsert


class ContactSerializer(serializers.ModelSerializer):
    account_name = serializers.CharField(source="account.name", read_only=True, default=None)
    persona_name = serializers.CharField(source="persona.name", read_only=True, default=None)

    class Meta:
        model = Contact
        fields = ["id", "external_id", "first_name", "last_name", "email", "phone", "job_title", "department",
                  "country", "company_name", "website", "source", "owner", "account", "account_name",
                  "match_status", "match_confidence", "match_method", "match_reasons", "roles", "roles_manual",
                  "seniority", "seniority_manual", "inference_reasons", "persona", "persona_name", "persona_reason",
                  "disc_style", "lifecycle_stage", "score", "engagement_score", "consent_email", "consent_phone", "consent_ads",
                  "consent_direct_mail", "erased_at", "created_at", "updated_at"]


class ContactInputSerializer(serializers.Serializer):
    """Same names as the contacts import columns; only the fields present change."""

    external_id = serializers.CharField(required=False, allow_blank=True, max_length=100)
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=50)
    job_title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    company_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    website = serializers.CharField(required=False, allow_blank=True, max_length=300)
    country = serializers.CharField(required=False, allow_blank=True, max_length=60)
    source = serializers.CharField(required=False, allow_blank=True)
    owner_email = serializers.CharField(required=False, allow_blank=True)
    account_external_id = serializers.CharField(required=False, allow_blank=True)
    account_domain = serializers.CharField(required=False, allow_blank=True)

    def to_internal_value(self, data):
        unknown = sorted(set(data) - KNOWN_FIELDS) if hasattr(data, "keys") else []
        if unknown:
            raise ValidationError({k: ["Unknown field."] for k in unknown})
        return super().to_internal_value(data)


class ContactBulkSerializer(serializers.Serializer):
    records = ContactInputSerializer(many=True, allow_empty=False, max_length=1000)


class LifecycleSerializer(serializers.Serializer):
    to_stage = serializers.ChoiceField(choices=LifecycleStage.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255)


class BuyingProfileSerializer(serializers.Serializer):
    roles = serializers.ListField(child=serializers.CharField(), required=False)
    seniority = serializers.CharField(required=False, allow_blank=True)
    persona = serializers.IntegerField(required=False, allow_null=True)


class QuestionnaireSerializer(serializers.Serializer):
    answers = serializers.DictField(child=serializers.IntegerField(allow_null=True, min_value=-2, max_value=2))


class DiscRecordSerializer(serializers.Serializer):
    style = serializers.CharField(max_length=2)
    source = serializers.ChoiceField(choices=[c for c in DiscSource.choices if c[0] != DiscSource.QUESTIONNAIRE])
    confidence = serializers.FloatField(min_value=0, max_value=1, default=0.5)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ConsentSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=CHANNELS)
    status = serializers.ChoiceField(choices=ConsentStatus.choices)
    how = serializers.CharField(max_length=200)


class ContactViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceViewSet):
    """Contacts and leads. Writes take the import's field names and are matched by CRM id, else
    e-mail; new contacts get their title read and are matched to an account (see `match_*`)."""

    model = Contact
    serializer_class = ContactSerializer
    filterset_class = ContactFilter
    action_roles = {"sales_accept": SELLERS, "sales_reject": SELLERS, "erase": ADMINS}

    def scope_queryset(self, queryset):
        return contact_queryset(workspace=self.workspace)

    def _write_one(self, record: dict) -> Contact:
        (result,) = contacts_upsert(workspace=self.workspace, records=[record], by=self.request.user)
        raise_record_errors(result.errors)
        return self.get_queryset().get(pk=result.contact_id)

    @extend_schema(request=ContactInputSerializer, responses={201: ContactSerializer})
    def create(self, request):
        data = ContactInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(ContactSerializer(self._write_one(dict(data.validated_data))).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=ContactInputSerializer, responses=ContactSerializer)
    def partial_update(self, request, pk=None):
        contact = self.get_object()
        data = ContactInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        record = dict(data.validated_data)
        if contact.external_id:
            if record.get("external_id", contact.external_id) != contact.external_id:
                raise ValidationError({"external_id": ["Change a CRM id through your CRM sync, not by PATCH."]})
            record["external_id"] = contact.external_id
        elif contact.email:
            if record.get("email", contact.email) != contact.email:
                raise ValidationError({"email": ["This contact is known by its e-mail; give it a CRM id to change it."]})
            record["email"] = contact.email
        return Response(ContactSerializer(self._write_one(record)).data)

    @extend_schema(request=ContactBulkSerializer,
                   responses=inline_serializer("ContactBulkResult", {"summary": serializers.DictField(),
                                                                     "results": serializers.ListField()}))
    @action(detail=False, methods=["post"], url_path="bulk-upsert")
    def bulk_upsert(self, request):
        """Up to 1,000 contacts per call, matched by `external_id`, else `email`; per-record results."""
        data = ContactBulkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        results = contacts_upsert(workspace=self.workspace, records=[dict(r) for r in data.validated_data["records"]],
                                  by=request.user)
        summary = Counter(r.status for r in results)
        return Response({"summary": {k: summary.get(k, 0) for k in ("created", "updated", "unchanged", "error")},
                         "results": [r.as_dict() for r in results]})

    @extend_schema(request=None, responses={202: inline_serializer("MatchJob", {"id": serializers.IntegerField(),
                                                                               "status": serializers.CharField()})})
    @action(detail=False, methods=["post"], url_path="match-unlinked")
    def match_unlinked(self, request):
        """Match every contact without an account again, in the background (a Job)."""
        job = contacts_match_start(workspace=self.workspace, by=request.user)
        return Response({"id": job.pk, "status": job.status}, status=status.HTTP_202_ACCEPTED)

    def _respond(self, contact) -> Response:
        contact = self.get_queryset().get(pk=contact.pk)
        return Response(ContactSerializer(contact).data)

    @extend_schema(request=LifecycleSerializer, responses=ContactSerializer)
    @action(detail=True, methods=["post"])
    def lifecycle(self, request, pk=None):
        contact = self.get_object()
        data = LifecycleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(contact_lifecycle_move(contact=contact, by=request.user, **data.validated_data))

    @extend_schema(request=None, responses=ContactSerializer)
    @action(detail=True, methods=["post"], url_path="sales-accept")
    def sales_accept(self, request, pk=None):
        return self._respond(contact_sales_accept(contact=self.get_object(), by=request.user))

    @extend_schema(request=ReasonSerializer, responses=ContactSerializer)
    @action(detail=True, methods=["post"], url_path="sales-reject")
    def sales_reject(self, request, pk=None):
        contact = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(contact_sales_reject(contact=contact, by=request.user,
                                                  reason=data.validated_data["reason"]))

    @extend_schema(request=BuyingProfileSerializer, responses=ContactSerializer)
    @action(detail=True, methods=["post"], url_path="buying-profile")
    def buying_profile(self, request, pk=None):
        """Override the inferred roles, seniority or persona (inference leaves them alone after)."""
        contact = self.get_object()
        data = BuyingProfileSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "persona" in fields:
            persona_id = fields.pop("persona")
            fields["persona"] = (Persona.objects.for_workspace(self.workspace).filter(pk=persona_id).first()
                                 if persona_id else None)
            if persona_id and fields["persona"] is None:
                raise ValidationError({"persona": ["No such persona."]})
        return self._respond(contact_set_buying_profile(contact=contact, by=request.user, **fields))

    @extend_schema(request=QuestionnaireSerializer, responses=ContactSerializer)
    @action(detail=True, methods=["post"], url_path="disc-questionnaire")
    def disc_questionnaire(self, request, pk=None):
        """Score the 10-item observation questionnaire (answers -2..2, null = don't know)."""
        contact = self.get_object()
        data = QuestionnaireSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        disc_assess_questionnaire(contact=contact, answers=data.validated_data["answers"], by=request.user)
        return self._respond(contact)

    @extend_schema(request=DiscRecordSerializer, responses=ContactSerializer)
    @action(detail=True, methods=["post"])
    def disc(self, request, pk=None):
        contact = self.get_object()
        data = DiscRecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        disc_record(contact=contact, by=request.user, **data.validated_data)
        return self._respond(contact)

    @extend_schema(request=None, responses=inline_serializer("DiscGuidance", {
        "style": serializers.CharField(), "summary": serializers.CharField(), "guidance": serializers.DictField()}))
    @action(detail=True, methods=["get"], url_path="disc-guidance")
    def disc_guidance(self, request, pk=None):
        """How to address this person, from their DISC style."""
        contact = self.get_object()
        if not contact.disc_style:
            raise ValidationError({"disc_style": ["No DISC style recorded for this contact yet."]})
        guidance = disc_engine.guidance_for(contact.disc_style)
        return Response({"style": contact.disc_style, "summary": guidance.summary, "guidance": asdict(guidance)})

    @extend_schema(request=ConsentSerializer, responses=ContactSerializer)
    @action(detail=True, methods=["post"])
    def consent(self, request, pk=None):
        contact = self.get_object()
        data = ConsentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(contact_consent_set(contact=contact, by=request.user, **data.validated_data))

    @extend_schema(request=None, responses=ContactSerializer)
    @action(detail=True, methods=["post"])
    def erase(self, request, pk=None):
        """Remove the person's personal data (erasure request); admins only, recorded in the audit trail."""
        return self._respond(contact_erase(contact=self.get_object(), by=request.user))


class MatchReviewSerializer(serializers.ModelSerializer):
    contact = ContactSerializer(read_only=True)

    class Meta:
        model = MatchReview
        fields = ["id", "contact", "suggested_account", "confidence", "candidates", "reasons", "status",
                  "decided_by", "decided_at", "created_at"]


class ReviewDecisionSerializer(serializers.Serializer):
    account = serializers.IntegerField(required=False, help_text="For `pick`: the account to link.")


class MatchReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceViewSet):
    """The lead-to-account review queue (open first, most confident first)."""

    model = MatchReview
    serializer_class = MatchReviewSerializer
    filterset_fields = ["status"]

    def scope_queryset(self, queryset):
        return queryset.select_related("contact", "contact__account", "contact__persona").order_by(
            "status", "-confidence", "id")

    def _decide(self, request, action_name):
        review = self.get_object()
        account = None
        if action_name == "pick":
            data = ReviewDecisionSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            account = Account.objects.for_workspace(self.workspace).filter(pk=data.validated_data.get("account")).first()
            if account is None:
                raise ValidationError({"account": ["Pick an account of this workspace."]})
        review = match_review_decide(review=review, by=request.user, action=action_name, account=account)
        return Response(MatchReviewSerializer(self.get_queryset().get(pk=review.pk)).data)

    @extend_schema(request=None, responses=MatchReviewSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._decide(request, "accept")

    @extend_schema(request=ReviewDecisionSerializer, responses=MatchReviewSerializer)
    @action(detail=True, methods=["post"])
    def pick(self, request, pk=None):
        return self._decide(request, "pick")

    @extend_schema(request=None, responses=MatchReviewSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, "reject")

    @extend_schema(request=None, responses=MatchReviewSerializer)
    @action(detail=True, methods=["post"], url_path="new-account")
    def new_account(self, request, pk=None):
        return self._decide(request, "new_account")


class BuyingGroupMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="full_name")
    job_title = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    seniority = serializers.CharField()
    disc_style = serializers.CharField()
    persona = serializers.CharField(source="persona.name", default=None)
    lifecycle_stage = serializers.CharField()
    score = serializers.IntegerField(allow_null=True)
    engagement_score = serializers.IntegerField(allow_null=True, help_text="Own engagement 0–100 (decayed); "
                                                "null until the first score recompute.")


class BuyingGroupSerializer(serializers.Serializer):
    account = serializers.IntegerField()
    expected_roles = serializers.ListField(child=serializers.CharField())
    filled = serializers.DictField(child=serializers.ListField(child=serializers.IntegerField()))
    missing = serializers.ListField(child=serializers.CharField())
    coverage = serializers.FloatField()
    engaged_coverage = serializers.FloatField(allow_null=True, help_text="Coverage counting only engaged people; "
                                              "null until engagement is scored.")
    engaged_people = serializers.ListField(child=serializers.IntegerField())
    people = BuyingGroupMemberSerializer(many=True)


class BuyingGroupViewSet(mixins.RetrieveModelMixin, WorkspaceViewSet):
    """An account's buying group: people by role, seniority and DISC style, and the coverage of
    the roles its tier expects."""

    model = Account
    serializer_class = BuyingGroupSerializer

    def scope_queryset(self, queryset):
        return queryset.select_related("tier")

    def retrieve(self, request, pk=None):
        account = self.get_object()
        group = buying_group(workspace=self.workspace, account=account)
        cov = group["coverage"]
        return Response(BuyingGroupSerializer({
            "account": account.pk, "expected_roles": group["expected_roles"],
            "filled": {k: list(v) for k, v in cov.filled.items()}, "missing": list(cov.missing),
            "coverage": round(cov.ratio, 3),
            "engaged_coverage": round(cov.engaged_ratio, 3) if cov.engaged_ratio is not None else None,
            "engaged_people": sorted(group["engaged_ids"]), "people": group["people"]}).data)


class PersonaSerializer(WorkspaceScopedSerializer):
    class Meta:
        model = Persona
        fields = ["id", "name", "description", "default_roles", "seniorities", "departments", "title_keywords",
                  "title_keywords_exclude", "priority", "goals", "pains", "objections", "preferred_formats",
                  "preferred_channels", "key_messages"]


class PersonaViewSet(WorkspaceConfigViewSet):
    """Workspace personas and the rules that assign contacts to them."""

    model = Persona
    serializer_class = PersonaSerializer
    write_roles = MARKETERS


class TitleRuleSerializer(WorkspaceScopedSerializer):
    class Meta:
        model = TitleRule
        fields = ["id", "pattern", "field", "value", "priority"]


class TitleRuleViewSet(WorkspaceConfigViewSet):
    """The workspace's own job-title rules; they win over the built-in ones."""

    model = TitleRule
    serializer_class = TitleRuleSerializer
    write_roles = ADMINS

    def perform_create(self, serializer):
        _check_title_rule(serializer.validated_data)
        super().perform_create(serializer)

    def perform_update(self, serializer):
        _check_title_rule({**TitleRuleSerializer(serializer.instance).data, **serializer.validated_data})
        super().perform_update(serializer)


def _check_title_rule(data: dict) -> None:
    from contacts.engine.titles import TitleRule as EngineRule

    try:
        EngineRule(field=data["field"], value=data["value"], keywords=(data["pattern"],),
                   priority=data.get("priority", 100))
    except ValueError as error:
        raise ValidationError({"value": [str(error)]}) from None

