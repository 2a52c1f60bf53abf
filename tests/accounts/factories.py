import factory

from accounts.models import Role, User
from tests.members.factories import MemberFactory


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"bruker{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.no")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Bruker {n}")
    password = factory.PostGenerationMethodCall("set_password", "passord-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class KsStaffFactory(UserFactory):
    role = Role.KS_STAFF
    is_staff = True


class MunicipalUserFactory(UserFactory):
    role = Role.MUNICIPAL
    organisation = factory.SubFactory(MemberFactory)


class CouncilMemberFactory(UserFactory):
    role = Role.COUNCIL
    organisation = factory.SubFactory(MemberFactory)
