"""Loading YAML rule files into typed models with line-precise errors.

A shop edits rules/*.yaml and phrasebook.yaml by hand; when one is wrong the service must
say *where* ("rules/sla.yaml:7: reply_s: Input should be greater than 0"), not dump a
traceback. Validation is pydantic; the line comes from the YAML node the error points at.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from assist.core.errors import RulesError

__all__ = ["RulesError", "load_yaml_model", "parse_yaml_model"]

ModelT = TypeVar("ModelT", bound=BaseModel)


def _node_line(root: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """1-based line of the deepest YAML node that ``loc`` reaches."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = None
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(key):
                    nxt = value_node
                    line = key_node.start_mark.line + 1
                    break
            if nxt is None:
                return line
            node = nxt
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            if key >= len(node.value):
                return line
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def parse_yaml_model(text: str, model: type[ModelT], path: str = "<string>") -> ModelT:
    """Validate YAML ``text`` as ``model``; raise :class:`RulesError` naming the lines."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise RulesError(path, [(line, f"invalid YAML: {problem}")]) from None
    if data is None:
        data = {}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems: list[tuple[int | None, str]] = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            where = ".".join(str(part) for part in loc) or "(top level)"
            problems.append((_node_line(root, loc), f"{where}: {error['msg']}"))
        raise RulesError(path, problems) from None


def load_yaml_model(path: Path | str, model: type[ModelT]) -> ModelT:
    """Read and validate a rule file; a missing or unreadable file is a :class:`RulesError`."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesError(str(file), [(None, f"cannot read: {exc.strerror or exc}")]) from None
    return parse_yaml_model(text, model, str(file))
