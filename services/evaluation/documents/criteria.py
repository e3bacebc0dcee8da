"""Criteria set documents: loader with full error lists, and the shipped catalog (documents layer)."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import marshmallow as ma
import yaml

from common.errors import NotFound, ValidationFailed
from services.evaluation.documents.criteria_checks import cross_field_problems
from services.evaluation.documents.criteria_schemas import CriteriaSetSchema, vietnamese
from services.evaluation.domain.criteria import (
    Band,
    CriteriaSet,
    Criterion,
    Dependency,
    EvidenceRequirement,
    Indicator,
    Level,
    Rules,
    SubjectGroup,
)

# Shipped sets live next to the code so a deployment carries them; a locality adds its own by
# dropping a new `<code>@<version>.yaml` file here (or in a directory it passes to load_catalog).
SHIPPED_DIR = Path(__file__).resolve().parent.parent / "catalog" / "criteria"


@dataclass(frozen=True)
class DocumentProblem:
    """One problem in a criteria set document: where (dotted path, list indexes from 0) and what."""

    path: str
    message: str
    message_vi: str = ""


class CriteriaDocumentError(ValidationFailed):
    """A criteria set document (or catalog) is invalid; `problems` lists every problem found."""

    def __init__(self, origin: str, problems: list[DocumentProblem]) -> None:
        errors: dict[str, list[str]] = {}
        for problem in problems:
            errors.setdefault(problem.path or "_document", []).append(problem.message)
        super().__init__(
            f"Bộ tiêu chí {origin} không hợp lệ ({len(problems)} lỗi).",
            f"Criteria set {origin} is invalid ({len(problems)} problems).",
            errors=errors,
        )
        self.origin = origin
        self.problems = tuple(problems)


class CriteriaSetNotFound(NotFound):
    """No criteria set with this code (and version) in the catalog."""

    def __init__(self, code: str, version: str | None) -> None:
        key = f"{code}@{version}" if version else code
        super().__init__(f"Không tìm thấy bộ tiêu chí {key}.", f"Criteria set {key} not found.")


def load_criteria_set(source: str | Mapping[str, Any], *, origin: str = "document") -> CriteriaSet:
    """Load a criteria set from YAML text or a dict; raises CriteriaDocumentError listing every problem."""
    problems: list[DocumentProblem] = []
    raw = _parse(source, origin, problems) if isinstance(source, str) else source
    if not isinstance(raw, Mapping):
        problem = DocumentProblem(
            "", "The document must be a mapping of fields.", "Tài liệu phải là một bảng trường."
        )
        raise CriteriaDocumentError(origin, [problem])
    data = _nfc(dict(raw))
    errored: frozenset[str] = frozenset()
    try:
        loaded = CriteriaSetSchema().load(data)
    except ma.ValidationError as exc:
        loaded = exc.valid_data if isinstance(exc.valid_data, dict) else {}
        schema_problems = [DocumentProblem(p, m, vietnamese(m)) for p, m in _flatten(exc.messages)]
        errored = frozenset(_prefixes(p.path for p in schema_problems))
        problems += schema_problems
    problems += [DocumentProblem(p, en, vi) for p, en, vi in cross_field_problems(loaded, errored)]
    if problems:
        raise CriteriaDocumentError(origin, sorted(problems, key=_path_order))
    return _build(loaded)


def load_catalog(directory: Path | str = SHIPPED_DIR) -> CriteriaCatalog:
    """Load every `<code>@<version>.yaml` in `directory`; raises one error listing all files' problems."""
    sets: list[CriteriaSet] = []
    problems: list[DocumentProblem] = []
    for path in sorted(Path(directory).glob("*.yaml")):
        try:
            criteria_set = load_criteria_set(path.read_text(encoding="utf-8"), origin=path.name)
        except CriteriaDocumentError as exc:
            problems += [
                DocumentProblem(f"{path.name}:{p.path}", p.message, p.message_vi) for p in exc.problems
            ]
            continue
        if path.name != f"{criteria_set.key}.yaml":
            problems.append(
                DocumentProblem(
                    f"{path.name}:",
                    f"The file must be named {criteria_set.key}.yaml after its code and version.",
                    f"Tên tệp phải là {criteria_set.key}.yaml theo mã và phiên bản.",
                )
            )
            continue
        sets.append(criteria_set)
    if problems:
        raise CriteriaDocumentError(str(directory), problems)
    return CriteriaCatalog(sets)


@functools.cache
def shipped_catalog() -> CriteriaCatalog:
    """The catalog of the sets shipped with the product, read once on first use (never at import)."""
    return load_catalog(SHIPPED_DIR)


def get_criteria_set(code: str, version: str) -> CriteriaSet:
    """A shipped criteria set by (code, version); raises CriteriaSetNotFound."""
    return shipped_catalog().get(code, version)


class CriteriaCatalog:
    """An immutable collection of criteria sets, looked up by (code, version)."""

    def __init__(self, sets: list[CriteriaSet]) -> None:
        self._by_key = {(s.code, s.version): s for s in sets}

    def __len__(self) -> int:
        return len(self._by_key)

    def __iter__(self) -> Iterator[CriteriaSet]:
        return iter(sorted(self._by_key.values(), key=lambda s: (s.code, _version_order(s.version))))

    def get(self, code: str, version: str) -> CriteriaSet:
        """The set with this code and version; raises CriteriaSetNotFound."""
        try:
            return self._by_key[(code, version)]
        except KeyError:
            raise CriteriaSetNotFound(code, version) from None

    def latest(self, code: str, year: int | None = None) -> CriteriaSet:
        """The newest version of `code` (valid in `year`, if given); raises CriteriaSetNotFound."""
        candidates = [s for s in self if s.code == code and (year is None or s.valid_in(year))]
        if not candidates:
            raise CriteriaSetNotFound(code, None)
        return max(candidates, key=lambda s: _version_order(s.version))

    def for_title(self, title: str) -> list[CriteriaSet]:
        """Every set (all versions) for a recognition title."""
        return [s for s in self if s.title == title]


def _version_order(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _path_order(problem: DocumentProblem) -> tuple[tuple[int, int | str], ...]:
    # Natural order, so that indicators.10 comes after indicators.9 in the report.
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in problem.path.split("."))


class _StrictLoader(yaml.SafeLoader):
    """A safe YAML loader that records duplicate keys, which PyYAML would silently overwrite."""

    duplicates: list[tuple[str, int]]

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                self.duplicates.append((str(key), key_node.start_mark.line + 1))
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _parse(text: str, origin: str, problems: list[DocumentProblem]) -> Any:
    loader: _StrictLoader | None = None
    try:
        # The constructor already reads the text: a control character fails here (found by fuzzing).
        loader = _StrictLoader(text)
        loader.duplicates = []
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = DocumentProblem("", f"Not valid YAML{where}: {exc}", f"Không phải YAML hợp lệ{where}.")
        raise CriteriaDocumentError(origin, [problem]) from None
    finally:
        if loader is not None:
            loader.dispose()
    for key, line in loader.duplicates:
        problems.append(
            DocumentProblem(
                "",
                f"Key '{key}' appears twice in one mapping (line {line}).",
                f"Khóa '{key}' bị lặp (dòng {line}).",
            )
        )
    return data


def _nfc(value: Any) -> Any:
    # Text pasted from PDFs or typed on macOS often arrives decomposed (NFD); normalising keeps codes
    # and Vietnamese names comparable and searchable.
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, Mapping):
        return {_nfc(k): _nfc(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_nfc(v) for v in value]
    return value


def _flatten(messages: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            path = prefix if key == "_schema" else f"{prefix}.{key}" if prefix else str(key)
            yield from _flatten(value, path)
    elif isinstance(messages, list):
        for message in messages:
            yield from _flatten(message, prefix)
    else:
        yield prefix, str(messages)


def _prefixes(paths: Iterator[str]) -> Iterator[str]:
    for path in paths:
        parts = path.split(".")
        for end in range(1, len(parts) + 1):
            yield ".".join(parts[:end])


def _build(d: dict[str, Any]) -> CriteriaSet:
    return CriteriaSet(
        code=d["code"],
        version=d["version"],
        title=d["title"],
        name_vi=d["name_vi"],
        name_en=d["name_en"],
        issuer=d["issuer"],
        legal_basis=tuple(d["legal_basis"]),
        status=d["status"],
        note=d["note"],
        valid_from=d["valid_from"],
        valid_to=d.get("valid_to"),
        subject_kind=d["subject_kind"],
        criteria=tuple(_criterion(c) for c in d.get("criteria") or ()),
        groups=tuple(
            SubjectGroup(g["code"], g["name_vi"], g["name_en"], tuple(_criterion(c) for c in g["criteria"]))
            for g in d.get("groups") or ()
        ),
        rules=_rules(d["rules"]),
    )


def _rules(r: dict[str, Any]) -> Rules:
    return Rules(
        pass_total=r.get("pass_total"),
        min_points_per_indicator=r.get("min_points_per_indicator"),
        dependencies=tuple(_dependency(x) for x in r["dependencies"]),
        levels=tuple(
            Level(
                lv["level"],
                lv["name_vi"],
                lv["name_en"],
                lv.get("min_total"),
                tuple(_dependency(x) for x in lv["dependencies"]),
            )
            for lv in r["levels"]
        ),
        validity_years=r.get("validity_years"),
        bands=tuple(Band(b["code"], b["name_vi"], b["name_en"], b["min_total"]) for b in r["bands"]),
    )


def _criterion(c: dict[str, Any]) -> Criterion:
    return Criterion(c["code"], c["name_vi"], c["name_en"], tuple(_indicator(i) for i in c["indicators"]))


def _indicator(i: dict[str, Any]) -> Indicator:
    evidence = i.get("evidence")
    return Indicator(
        code=i["code"],
        name_vi=i["name_vi"],
        name_en=i["name_en"],
        max_points=i.get("max_points"),
        scored_by=tuple(i["scored_by"]),
        min_points=i.get("min_points"),
        required=i["required"],
        evidence=EvidenceRequirement(tuple(evidence["kinds"]), evidence["min_count"]) if evidence else None,
    )


def _dependency(x: dict[str, Any]) -> Dependency:
    return Dependency(x["title"], x["min_share"], x["description_vi"], x["description_en"])
