"""Target-list API: lists and their workflow actions, nominations (create = nominate) with
theirs, and the read-only timeline. Who may call what is declared per action (see
accounts/services/target_lists.py for the role sets). `register(router)` is called by
accounts/api/urls.py."""
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from abm_platform.api.serializers import WorkspaceScopedSerializer
from abm_platform.api.viewsets import WorkspaceViewSet
from abm_platform.tenancy.roles import ANY_ROLE, APPROVERS
from accounts.forms_target_lists import NominationFilter, TargetListEventFilter, TargetListFilter
from accounts.models import NominationFeedback, TargetList, TargetListEvent, TargetListNomination
from accounts.services.target_lists import (
    LIST_MANAGERS, NOMINATORS, REVIEWERS, nomination_approve, nomination_give_feedback, nomination_reject,
    nomination_set_pilot, nomination_withdraw, nominations_with_feedback, target_list_approve_all,
    target_list_create, target_list_nominate, target_list_reject_all, target_list_reopen, target_list_submit,
    target_list_update, target_lists_with_counts,
)

# --- output ----------------------------------------------------------------------------------


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()


class TierSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AccountSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    domain = serializers.CharField()
    tier = TierSummarySerializer(allow_null=True)
    is_target = serializers.BooleanField()


class NominationCountsSerializer(serializers.Serializer):
    proposed = serializers.IntegerField(source="proposed_count")
    approved = serializers.IntegerField(source="approved_count")
    rejected = serializers.IntegerField(source="rejected_count")
    withdrawn = serializers.IntegerField(source="withdrawn_count")
    pilot = serializers.IntegerField(source="pilot_count")


class TargetListSerializer(serializers.ModelSerializer):
    created_by = PersonSerializer(allow_null=True)
    nominations = NominationCountsSerializer(source="*", read_only=True,
                                             help_text="How many nominations are in each state, and in the pilot.")

    class Meta:
        model = TargetList
        fields = ["id", "name", "criteria", "status", "created_by", "created_at", "submitted_at", "decided_at",
                  "nominations"]


class FeedbackSerializer(serializers.ModelSerializer):
    author = PersonSerializer(allow_null=True)

    class Meta:
        model = NominationFeedback
        fields = ["kind", "comment", "author", "created_at"]


class NominationSerializer(serializers.ModelSerializer):
    account = AccountSummarySerializer()
    proposed_tier = TierSummarySerializer(allow_null=True)
    nominated_by = PersonSerializer(allow_null=True)
    decided_by = PersonSerializer(allow_null=True)
    feedback = FeedbackSerializer(many=True)
    endorsements = serializers.SerializerMethodField()
    objections = serializers.SerializerMethodField()

    class Meta:
        model = TargetListNomination
        fields = ["id", "target_list", "account", "proposed_tier", "rationale", "status", "is_pilot", "nominated_by",
                  "nominated_at", "endorsements", "objections", "feedback", "decided_by", "decided_at",
                  "decision_comment"]

    # Counted from the prefetched feedback: no query per row.
    def get_endorsements(self, obj) -> int:
        return sum(1 for f in obj.feedback.all() if f.kind == NominationFeedback.Kind.ENDORSE)

    def get_objections(self, obj) -> int:
        return sum(1 for f in obj.feedback.all() if f.kind == NominationFeedback.Kind.OBJECT)


class TargetListEventSerializer(serializers.ModelSerializer):
    actor = PersonSerializer(allow_null=True)

    class Meta:
        model = TargetListEvent
        fields = ["id", "target_list", "nomination", "action", "actor", "comment", "created_at"]


# --- input -----------------------------------------------------------------------------------


class TargetListInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    criteria = serializers.CharField(required=False, allow_blank=True, default="")


class NominationInputSerializer(WorkspaceScopedSerializer):
    """Nominate: the list, the account (ids of this workspace) and why."""

    class Meta:
        model = TargetListNomination
        fields = ["target_list", "account", "proposed_tier", "rationale"]
        extra_kwargs = {"proposed_tier": {"required": False}}
        validators: list = []  # the service explains duplicates (and revives a withdrawn nomination)


class CommentInputSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class RequiredCommentInputSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=2000, help_text="Why: the team reads it.")


class PilotInputSerializer(serializers.Serializer):
    is_pilot = serializers.BooleanField(default=True, help_text="false takes the account out of the pilot.")


class DecidedCountSerializer(serializers.Serializer):
    decided = serializers.IntegerField(help_text="How many nominations this call decided.")
    target_list = TargetListSerializer()


def _valid(serializer_class, request) -> dict:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


# --- views -----------------------------------------------------------------------------------


class TargetListViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceViewSet):
    """Target lists and their lifecycle: open → in review (submit) → decided (approve_all /
    reject_all, or the last nomination decided) → open again (reopen, to expand the list)."""

    model = TargetList
    serializer_class = TargetListSerializer
    read_roles = ANY_ROLE
    write_roles = LIST_MANAGERS
    action_roles = {"submit": LIST_MANAGERS, "reopen": LIST_MANAGERS,
                    "approve_all": APPROVERS, "reject_all": APPROVERS}
    filterset_class = TargetListFilter
    ordering_fields = ["created_at", "name", "status", "submitted_at", "decided_at"]

    def scope_queryset(self, queryset):
        return target_lists_with_counts(queryset)

    def _respond(self, target_list, status_code=status.HTTP_200_OK, **extra):
        data = TargetListSerializer(self.get_queryset().get(pk=target_list.pk)).data
        return Response({**extra, "target_list": data} if extra else data, status=status_code)

    @extend_schema(request=TargetListInputSerializer, responses={201: TargetListSerializer})
    def create(self, request):
        fields = _valid(TargetListInputSerializer, request)
        target_list = target_list_create(workspace=self.workspace, by=request.user, **fields)
        return self._respond(target_list, status.HTTP_201_CREATED)

    @extend_schema(request=TargetListInputSerializer, responses=TargetListSerializer)
    def partial_update(self, request, pk=None):
        target_list = self.get_object()
        data = TargetListInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = {"name": target_list.name, "criteria": target_list.criteria, **data.validated_data}
        return self._respond(target_list_update(target_list=target_list, by=request.user, **fields))

    @extend_schema(request=CommentInputSerializer, responses=TargetListSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the list for approval (needs at least one proposed nomination)."""
        target_list = self.get_object()
        return self._respond(target_list_submit(target_list=target_list, by=request.user,
                                                **_valid(CommentInputSerializer, request)))

    @extend_schema(request=CommentInputSerializer, responses=DecidedCountSerializer)
    @action(detail=True, methods=["post"])
    def approve_all(self, request, pk=None):
        """Approve every nomination still proposed: the accounts become targets with their proposed tier."""
        target_list = self.get_object()
        decided = target_list_approve_all(target_list=target_list, by=request.user,
                                          **_valid(CommentInputSerializer, request))
        return self._respond(target_list, decided=decided)

    @extend_schema(request=RequiredCommentInputSerializer, responses=DecidedCountSerializer)
    @action(detail=True, methods=["post"])
    def reject_all(self, request, pk=None):
        """Reject every nomination still proposed, saying why."""
        target_list = self.get_object()
        decided = target_list_reject_all(target_list=target_list, by=request.user,
                                         **_valid(RequiredCommentInputSerializer, request))
        return self._respond(target_list, decided=decided)

    @extend_schema(request=CommentInputSerializer, responses=TargetListSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Reopen a decided list to nominate more accounts; earlier decisions stand."""
        target_list = self.get_object()
        return self._respond(target_list_reopen(target_list=target_list, by=request.user,
                                                **_valid(CommentInputSerializer, request)))


class NominationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceViewSet):
    """Nominations (filter with `?target_list=`). Creating one nominates an account; the actions
    are the review (endorse / object), withdraw, the pilot, and the executive's decision."""

    model = TargetListNomination
    serializer_class = NominationSerializer
    read_roles = ANY_ROLE
    write_roles = NOMINATORS
    action_roles = {"create": NOMINATORS, "withdraw": NOMINATORS, "endorse": REVIEWERS, "object": REVIEWERS,
                    "set_pilot": LIST_MANAGERS, "approve": APPROVERS, "reject": APPROVERS}
    filterset_class = NominationFilter
    ordering_fields = ["nominated_at", "decided_at", "status"]

    def scope_queryset(self, queryset):
        return nominations_with_feedback(queryset, workspace=self.workspace)

    def _respond(self, nomination, status_code=status.HTTP_200_OK):
        return Response(NominationSerializer(self.get_queryset().get(pk=nomination.pk)).data, status=status_code)

    @extend_schema(request=NominationInputSerializer, responses={201: NominationSerializer})
    def create(self, request):
        """Nominate an account for an open list, with a rationale and optionally the tier it should get."""
        data = NominationInputSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        nomination = target_list_nominate(by=request.user, **data.validated_data)
        return self._respond(nomination, status.HTTP_201_CREATED)

    @extend_schema(request=CommentInputSerializer, responses=NominationSerializer)
    @action(detail=True, methods=["post"])
    def endorse(self, request, pk=None):
        """Endorse a teammate's nomination (replaces your earlier endorsement or objection)."""
        return self._feedback(NominationFeedback.Kind.ENDORSE, CommentInputSerializer)

    @extend_schema(request=RequiredCommentInputSerializer, responses=NominationSerializer)
    @action(detail=True, methods=["post"])
    def object(self, request, pk=None):
        """Object to a teammate's nomination, saying why (replaces your earlier feedback)."""
        return self._feedback(NominationFeedback.Kind.OBJECT, RequiredCommentInputSerializer)

    def _feedback(self, kind, input_serializer):
        nomination = self.get_object()
        nomination_give_feedback(nomination=nomination, by=self.request.user, kind=kind,
                                 **_valid(input_serializer, self.request))
        return self._respond(nomination)

    @extend_schema(request=CommentInputSerializer, responses=NominationSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw your own nomination while the list is open."""
        nomination = self.get_object()
        return self._respond(nomination_withdraw(nomination=nomination, by=request.user,
                                                 **_valid(CommentInputSerializer, request)))

    @extend_schema(request=PilotInputSerializer, responses=NominationSerializer)
    @action(detail=True, methods=["post"])
    def set_pilot(self, request, pk=None):
        """Put the account in the list's pilot (at most 3), or take it out."""
        nomination = self.get_object()
        return self._respond(nomination_set_pilot(nomination=nomination, by=request.user,
                                                  **_valid(PilotInputSerializer, request)))

    @extend_schema(request=CommentInputSerializer, responses=NominationSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve: the account becomes a target and moves to the proposed tier."""
        nomination = self.get_object()
        return self._respond(nomination_approve(nomination=nomination, by=request.user,
                                                **_valid(CommentInputSerializer, request)))

    @extend_schema(request=RequiredCommentInputSerializer, responses=NominationSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject, saying why."""
        nomination = self.get_object()
        return self._respond(nomination_reject(nomination=nomination, by=request.user,
                                               **_valid(RequiredCommentInputSerializer, request)))


class TargetListEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceViewSet):
    """Every step of every target list, oldest first (filter with `?target_list=`)."""

    model = TargetListEvent
    serializer_class = TargetListEventSerializer
    read_roles = ANY_ROLE
    filterset_class = TargetListEventFilter
    ordering_fields = ["created_at"]

    def scope_queryset(self, queryset):
        return queryset.select_related("actor")


def register(router) -> None:
    router.register("target-lists", TargetListViewSet, basename="targetlist")
    router.register("target-list-nominations", NominationViewSet, basename="nomination")
    router.register("target-list-events", TargetListEventViewSet, basename="targetlistevent")


urlpatterns: list = []
