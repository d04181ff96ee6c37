"""The back office's own pages: organisations and targets, members and their roles, and
the audit log, each narrowed to the user's organisations."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.admin import UserAdmin
from django.db.models import Q
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from undersigned.audit.models import AuditEntry, record
from undersigned.emails.models import OutboxMessage
from undersigned.organisations.models import Organisation, Target

from . import access, members, second_factor
from .languages import LanguageFieldsAdmin, fields_with_languages, language_fields_form
from .models import Membership, Role
from .scoping import AuditedViews, ReadOnly, ScopedAdmin

NAMES = {"translated_names": "name"}


class OrganisationForm(language_fields_form(Organisation, NAMES)):
    required_languages = forms.MultipleChoiceField(
        label=_("Languages every action must be written in"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("An action is not published until its texts exist in each of these."),
    )


@admin.register(Organisation)
class OrganisationAdmin(LanguageFieldsAdmin, ScopedAdmin):
    """Operators add organisations; an organisation admin edits its own."""

    form = OrganisationForm
    fields = fields_with_languages(
        [
            "name",
            "short_name",
            "slug",
            "website",
            "country",
            "description",
            "required_languages",
            "require_second_factor",
            "embed_origins",
        ],
        NAMES,
    )
    list_display = ["name", "short_name", "country", "website"]
    search_fields = ["name", "short_name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Target)
class TargetAdmin(LanguageFieldsAdmin, admin.ModelAdmin):
    """Targets are public institutions and people, shared by every organisation: staff who
    create actions may add them; only operators change them (the change shows on every
    organisation's pages)."""

    form = language_fields_form(Target, NAMES)
    fields = fields_with_languages(["name", "slug", "kind", "short_name", "description"], NAMES)
    list_display = ["name", "short_name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Role)
class RoleAdmin(ReadOnly, admin.ModelAdmin):
    """The ready-made roles, to read (they are defined in roles.py)."""

    list_display = ["role", "may"]
    fields = ["role", "may", "permissions"]
    readonly_fields = fields

    @admin.display(description=_("role"))
    def role(self, role):
        return str(role)

    @admin.display(description=_("what it may do"))
    def may(self, role):
        return gettext(role.description)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff


class NewMemberForm(forms.ModelForm):
    """One form makes a colleague's account and gives it a role (or gives an existing
    account a role in one more organisation)."""

    username = forms.CharField(
        label=_("username"),
        max_length=150,
        validators=[get_user_model().username_validator],
        help_text=_("An existing account is added to the organisation; a new one is made."),
    )
    email = forms.EmailField(label=_("email address"), required=False)
    password = forms.CharField(
        label=_("password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("For a new account: give it to your colleague, who can change it."),
    )

    class Meta:
        model = Membership
        fields = ["organisation", "role"]

    def clean(self):
        cleaned = super().clean()
        username = cleaned.get("username")
        organisation = cleaned.get("organisation")
        User = get_user_model()
        existing = User.objects.filter(username=username).first() if username else None
        if existing and organisation:
            if Membership.objects.filter(user=existing, organisation=organisation).exists():
                self.add_error("username", _("This account is already a member."))
        elif username and not existing:
            password = cleaned.get("password")
            if not password:
                self.add_error("password", _("A new account needs a password."))
            else:
                try:
                    password_validation.validate_password(password, User(username=username))
                except forms.ValidationError as error:
                    self.add_error("password", error)
        return cleaned

    def _post_clean(self):
        pass  # the membership is made by members.add_member, with its account


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["organisation", "role"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user", "organisation", "role"]
    actions = ["reset_second_factor"]

    @admin.action(
        description=_("Reset the second factor of the selected members"), permissions=["change"]
    )
    def reset_second_factor(self, request, queryset):
        """For a member who lost their phone and backup codes: they enrol again at their
        next sign-in. An operator's account is reset only by another operator."""
        reset = 0
        for membership in queryset.select_related("user", "organisation"):
            account = membership.user
            if account == request.user or (account.is_superuser and not request.user.is_superuser):
                continue
            second_factor.reset(membership, request.user)
            reset += 1
        self.message_user(
            request,
            ngettext(
                "%(count)s member will enrol a second factor again at the next sign-in.",
                "%(count)s members will enrol a second factor again at their next sign-in.",
                reset,
            )
            % {"count": reset},
        )

    def get_changeform_initial_data(self, request):
        """The organisation, when the user may add members to one only."""
        initial = super().get_changeform_initial_data(request)
        ids = access.organisation_ids(request.user, "staff.add_membership")
        if ids is not None and len(ids) == 1:
            initial.setdefault("organisation", next(iter(ids)))
        return initial

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = NewMemberForm
            kwargs["fields"] = None
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            fields = ["organisation", "role", "username", "email", "password"]
        else:
            fields = ["user", "organisation", "role"]
        return [(None, {"fields": fields})]

    def get_readonly_fields(self, request, obj=None):
        return ["user", "organisation"] if obj else []

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            members.change_role(Membership.objects.get(pk=obj.pk), data["role"], request.user)
            return
        created = members.add_member(
            data["organisation"],
            data["role"],
            request.user,
            username=data["username"],
            email=data.get("email", ""),
            password=data.get("password", ""),
        )
        obj.pk, obj.user, obj.organisation, obj.role = (
            created.pk,
            created.user,
            created.organisation,
            created.role,
        )

    def delete_model(self, request, obj):
        members.remove_member(obj, request.user)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except members.LastAdmin:
            self.message_user(request, LAST_ADMIN, messages.ERROR)
            return self.response_post_save_change(request, None)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except members.LastAdmin:
            self.message_user(request, LAST_ADMIN, messages.ERROR)
            return self.response_post_save_change(request, None)


LAST_ADMIN = _("An organisation keeps at least one organisation admin: make another first.")


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnly, ScopedAdmin):
    """Each organisation's staff read the entries about its own objects and the account
    entries (sign-ins, second factors) of its members; operators read every entry."""

    list_display = ["created_at", "username", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["username", "object_repr", "object_id"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        entries = AuditEntry.objects.all()
        ids = access.organisation_ids(request.user, "audit.view_auditentry")
        if ids is None:
            return entries
        members_accounts = Membership.objects.filter(organisation__in=ids).values("user")
        return entries.filter(
            Q(organisation__in=ids) | Q(organisation=None, user__in=members_accounts)
        )


# An account's flags that change what it may reach, and the audit code of each change.
ACCOUNT_FLAGS = {
    "is_superuser": ("account.superuser_granted", "account.superuser_removed"),
    "is_staff": ("account.staff_granted", "account.staff_removed"),
    "is_active": ("account.activated", "account.deactivated"),
}
User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(UserAdmin):
    """Django's accounts page (operators only), with each change that widens or narrows an
    account's reach, and each password an operator sets, on the record."""

    def save_model(self, request, obj, form, change):
        before = User.objects.filter(pk=obj.pk).values(*ACCOUNT_FLAGS).first() if change else {}
        super().save_model(request, obj, form, change)
        if not change:
            record(request.user, "account.created", obj, superuser=obj.is_superuser)
        for flag, (granted, removed) in ACCOUNT_FLAGS.items():
            if change and before[flag] != getattr(obj, flag):
                record(request.user, granted if getattr(obj, flag) else removed, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        changed = sorted({"groups", "user_permissions"} & set(form.changed_data))
        if change and changed:
            record(request.user, "account.permissions_changed", form.instance, fields=changed)

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        saved = response.status_code == 302 and response.url != request.get_full_path()
        if request.method == "POST" and saved:
            record(request.user, "account.password_changed", User.objects.get(pk=id))
        return response

    def delete_model(self, request, obj):
        record(request.user, "account.deleted", obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for account in queryset:
            record(request.user, "account.deleted", account)
        super().delete_queryset(request, queryset)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(AuditedViews, admin.ModelAdmin):
    """The operator's local outbox (the embedded default keeps emails instead of sending
    them): recipients' addresses, so each look is on the record. Registered here, with the
    other operator tools, because the emails app sits below the audit's staff views."""

    audit_name = "outbox_messages"
    list_display = ["created_at", "to", "subject"]
    search_fields = ["to", "subject"]
    readonly_fields = ["created_at", "to", "subject", "headers", "text_body", "html_preview"]
    exclude = ["html_body"]

    @admin.display(description="HTML")
    def html_preview(self, message):
        # A sandboxed frame: the message's HTML cannot run script or reach the admin's page.
        return format_html(
            '<iframe sandbox srcdoc="{}" style="width:100%;height:32rem;border:1px solid #ccc">'
            "</iframe>",
            message.html_body,
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
