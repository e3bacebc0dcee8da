"""Normalised import records: villages, households with members, clans, units (imports, pure Python).

Every text field is NFC with single spaces; codes are upper case. The database upsert keys each record on
its natural key, documented on each class and returned by its `natural_key` property.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

ImportKind: TypeAlias = Literal["villages", "households", "clans", "units"]
IMPORT_KINDS: tuple[ImportKind, ...] = ("villages", "households", "clans", "units")

VillageKind: TypeAlias = Literal["thon", "to_dan_pho", "khu_pho", "ap"]
VILLAGE_KINDS: tuple[VillageKind, ...] = ("thon", "to_dan_pho", "khu_pho", "ap")
Gender: TypeAlias = Literal["male", "female"]
GENDERS: tuple[Gender, ...] = ("male", "female")
CitizenGroup: TypeAlias = Literal["resident", "worker", "official", "student"]
CITIZEN_GROUPS: tuple[CitizenGroup, ...] = ("resident", "worker", "official", "student")
Relation: TypeAlias = Literal[
    "head",
    "spouse",
    "child",
    "child_in_law",
    "parent",
    "parent_in_law",
    "grandparent",
    "grandchild",
    "sibling",
    "other",
]
RELATIONS: tuple[Relation, ...] = (
    "head",
    "spouse",
    "child",
    "child_in_law",
    "parent",
    "parent_in_law",
    "grandparent",
    "grandchild",
    "sibling",
    "other",
)
UnitKind: TypeAlias = Literal["agency", "school", "cooperative", "enterprise"]
UNIT_KINDS: tuple[UnitKind, ...] = ("agency", "school", "cooperative", "enterprise")


def is_national_id(code: str) -> bool:
    """Whether a citizen code is a 12-digit personal identification number (số định danh cá nhân)."""
    return len(code) == 12 and code.isascii() and code.isdigit()


@dataclass(frozen=True)
class VillageRecord:
    """A village or residential group (thôn, tổ dân phố, khu phố, ấp).

    Natural key: (commune_code, village_code). commune_code is the 5-digit post-2025 commune code of
    the `vietnam-provinces` package; village_code is the commune's own code, unique within the commune.
    """

    commune_code: str
    village_code: str
    name: str
    kind: VillageKind

    @property
    def natural_key(self) -> tuple[str, str]:
        """(commune_code, village_code)."""
        return (self.commune_code, self.village_code)


@dataclass(frozen=True)
class CitizenRecord:
    """A member of a household.

    Natural key: the citizen_code alone when it is a 12-digit national ID (unique in the country);
    otherwise a household-local code, and the key is (commune_code, household_code, citizen_code) of
    the household that holds it (see HouseholdRecord.member_key).
    """

    citizen_code: str
    full_name: str
    birth_year: int
    gender: Gender
    group: CitizenGroup
    relation: Relation

    @property
    def has_national_id(self) -> bool:
        """Whether citizen_code is a national ID rather than a household-local code."""
        return is_national_id(self.citizen_code)


@dataclass(frozen=True)
class HouseholdRecord:
    """A household (hộ gia đình) with its members, exactly one of whom is the head.

    Natural key: (commune_code, household_code); household_code is unique within the commune.
    """

    commune_code: str
    village_code: str
    household_code: str
    head_name: str
    address: str
    members: tuple[CitizenRecord, ...]

    @property
    def natural_key(self) -> tuple[str, str]:
        """(commune_code, household_code)."""
        return (self.commune_code, self.household_code)

    def member_key(self, member: CitizenRecord) -> tuple[str, ...]:
        """A member's natural key: (national_id,) or (commune_code, household_code, local_code)."""
        if member.has_national_id:
            return (member.citizen_code,)
        return (self.commune_code, self.household_code, member.citizen_code)


@dataclass(frozen=True)
class ClanRecord:
    """A clan or lineage (dòng họ) and the households that belong to it; they may span villages.

    Natural key: (commune_code, clan_code). household_codes refer to households of the same commune.
    """

    commune_code: str
    clan_code: str
    name: str
    household_codes: tuple[str, ...]

    @property
    def natural_key(self) -> tuple[str, str]:
        """(commune_code, clan_code)."""
        return (self.commune_code, self.clan_code)


@dataclass(frozen=True)
class UnitMemberRecord:
    """A citizen working or studying in a unit.

    citizen_code is a national ID (the member may live in another commune) or, with household_code, a
    household-local code of a household of the unit's commune. full_name helps reviewers; may be empty.
    """

    citizen_code: str
    household_code: str
    full_name: str


@dataclass(frozen=True)
class UnitRecord:
    """An agency, school, cooperative or enterprise unit (đơn vị) and its member citizens.

    Natural key: (commune_code, unit_code).
    """

    commune_code: str
    unit_code: str
    name: str
    kind: UnitKind
    members: tuple[UnitMemberRecord, ...]

    @property
    def natural_key(self) -> tuple[str, str]:
        """(commune_code, unit_code)."""
        return (self.commune_code, self.unit_code)


Record: TypeAlias = VillageRecord | HouseholdRecord | ClanRecord | UnitRecord
