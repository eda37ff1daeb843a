"""``assist catalog import`` reads the files shops really have, into the database every
other command reads by default."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.commands.test_classify_cli import _assist

CATALOG = (
    "sku,name,price,category,color,size,stock\n"
    "P1,直筒牛仔裤,129,牛仔裤,黑色,L,0\n"
    "P2,修身牛仔裤,119,牛仔裤,黑色,L,4\n"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_a_catalogue_saved_as_utf8_utf8_with_bom_or_gbk_imports_and_classify_uses_it(
    tmp_path: Path, encoding: str
) -> None:
    (tmp_path / "catalog.csv").write_bytes(CATALOG.encode(encoding))
    imported = _assist(["catalog", "import", "catalog.csv"], cwd=tmp_path)  # no --db
    assert imported.returncode == 0, imported.stderr
    assert "imported 2 products, 2 variants" in imported.stdout
    assert (tmp_path / "assist.db").is_file()  # the default, Settings.db_url

    question = json.dumps({"text": "黑色L有货吗", "product_id": "P1"}, ensure_ascii=False)
    done = _assist(["classify"], question + "\n", cwd=tmp_path)  # no --db either
    assert done.returncode == 0, done.stderr
    (answer,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert answer["slots"]["in_stock"] is False
    assert "修身牛仔裤" in answer["replies"][0]  # the catalogue's in-stock alternative


def test_a_file_in_neither_encoding_is_refused_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "catalog.csv").write_bytes(b"sku,name,price\nP1,\xff\xfe\xff,9\n")
    done = _assist(["catalog", "import", "catalog.csv"], cwd=tmp_path)
    assert done.returncode == 1
    assert "catalog.csv:2: not UTF-8 or GB18030" in done.stderr
    assert "Traceback" not in done.stderr
