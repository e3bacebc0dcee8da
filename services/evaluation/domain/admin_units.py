"""The administrative tree: provinces, (pre-2025) districts, communes, villages (pure Python)."""

from __future__ import annotations

from dataclasses import dataclass

# Ordered from the top. "district" exists only in plans written before the 1 July 2025 reform.
LEVELS = ("province", "district", "commune", "village")
VILLAGE_KINDS = {"thon": "Thôn", "to_dan_pho": "Tổ dân phố", "khu_pho": "Khu phố", "ap": "Ấp", "ban": "Bản"}


@dataclass(frozen=True)
class AdminUnit:
    """One administrative unit; `path` joins the codes from the province down, for subtree queries."""

    code: str
    name: str
    level: str
    kind: str
    parent_code: str | None
    path: str

    def contains(self, other: AdminUnit) -> bool:
        """True when `other` is this unit or lies below it."""
        return other.path == self.path or other.path.startswith(self.path + "/")


def province(code: int | str, name: str, kind: str) -> AdminUnit:
    """A province (two-digit official code)."""
    c = f"{int(code):02d}"
    return AdminUnit(code=c, name=name, level="province", kind=kind, parent_code=None, path=c)


def commune(code: int | str, name: str, kind: str, parent: AdminUnit) -> AdminUnit:
    """A commune, ward or special zone (five-digit official code) under a province or district."""
    c = f"{int(code):05d}"
    return AdminUnit(
        code=c, name=name, level="commune", kind=kind, parent_code=parent.code, path=f"{parent.path}/{c}"
    )


def village_code(commune_code: str, local_code: str) -> str:
    """Villages have only commune-local codes; the global code prefixes the commune's."""
    return f"{commune_code}.{local_code}"


def village(local_code: str, name: str, kind: str, parent: AdminUnit) -> AdminUnit:
    """A village / residential group created by a commune."""
    code = village_code(parent.code, local_code)
    return AdminUnit(
        code=code,
        name=name,
        level="village",
        kind=kind,
        parent_code=parent.code,
        path=f"{parent.path}/{code}",
    )
