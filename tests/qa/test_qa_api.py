"""The QA API on a live server: it agrees with `assist replay --qa`, serves CSV for Excel,
reminds of unpaid orders and hands over at a shift's end."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

from assist.assembly import build_engine, load_qa, load_sla
from assist.core.timeutil import parse_ts
from assist.replay import QaRequest, replay_lines
from assist.settings import REPO_ROOT, Settings
from tests.service.server import JSON, receive_until, run_server
from tests.service.test_live import event
from tests.service.test_live_matches_replay import LOG, ManualClock

pytestmark = pytest.mark.e2e


def rules_dir(tmp_path: Path, qa_extra: str = "", shifts: str | None = None) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(REPO_ROOT / "rules", target)
    if qa_extra:
        with (target / "qa.yaml").open("a", encoding="utf-8") as handle:
            handle.write(qa_extra)
    if shifts is not None:
        (target / "shifts.yaml").write_text(shifts, encoding="utf-8")
    return target


async def post_log(http: httpx.AsyncClient, clock: ManualClock, lines: list[str]) -> None:
    """POST the log's events one by one, the server's clock on each event's time."""
    for line in lines:
        clock.now = max(clock.now, parse_ts(json.loads(line)["ts"]))
        assert (await http.post("/api/events", content=line)).status_code == 200


async def test_the_api_and_replay_give_the_same_qa_scores_and_kpi(tmp_path: Path) -> None:
    lines = LOG.read_text(encoding="utf-8").splitlines()
    settings = Settings(db_url=f"sqlite+aiosqlite:///{tmp_path / 'qa.db'}", reload_interval_s=0)
    qa = QaRequest(load_qa(settings), load_sla(settings).service_hours.timezone)
    replayed = await replay_lines(lines, build_engine(settings, with_suggester=False), qa=qa)
    assert replayed.qa is not None and replayed.qa["month"] == "2026-11"
    assert {a["agent_id"] for a in replayed.qa["agents"]} == {"a-1", "a-2", "a-3", "a-4", "a-5"}

    clock = ManualClock(parse_ts(json.loads(lines[0])["ts"]))
    async with run_server(settings, clock) as server:
        async with httpx.AsyncClient(base_url=server.base, headers=JSON) as http:
            await post_log(http, clock, lines)
            scores = (await http.get("/api/qa/scores", params={"month": "2026-11"})).json()
            assert scores == replayed.qa

            failing = scores["agents"][1]["days"][0]["failures"][0]
            detail = (await http.get(f"/api/qa/conversations/{failing['conversation_id']}")).json()
            assert detail["passed"] is False
            assert [i["reason"] for i in detail["items"] if not i["passed"]] == failing["reasons"]

            csv_response = await http.get("/api/qa/scores.csv", params={"month": "2026-11"})
            body = csv_response.content.decode("utf-8")
            assert body.startswith("\ufeff客服,得分,扣分天数,奖金扣除(元),档次")
            assert body.count("\r\n") == 1 + len(scores["agents"])

            kpi = (await http.get("/api/kpi")).json()
            assert [a["agent_id"] for a in kpi["agents"]] == ["a-1", "a-2", "a-3", "a-4", "a-5"]
            assert all(0 <= a["score"] <= 100 for a in kpi["agents"])
            weights = [i["weight"] for i in kpi["agents"][0]["indicators"]]
            assert sum(weights) == 100
            kpi_csv = (await http.get("/api/kpi.csv")).content.decode("utf-8")
            assert kpi_csv.startswith("\ufeff客服,综合得分,销售额,销售额得分")

            ranged = await http.get(
                "/api/qa/scores",
                params={"from": "2026-11-23T00:00:00+08:00", "to": "2026-11-24T00:00:00+08:00"},
            )
            assert ranged.json()["agents"] == scores["agents"]


async def test_bad_queries_are_answered_with_typed_errors(tmp_path: Path) -> None:
    settings = Settings(db_url=f"sqlite+aiosqlite:///{tmp_path / 'qa.db'}", reload_interval_s=0)
    async with run_server(settings) as server, httpx.AsyncClient(base_url=server.base) as http:
        bad_month = await http.get("/api/qa/scores", params={"month": "2026-13"})
        assert bad_month.status_code == 422
        assert bad_month.json()["error"] == {
            "code": "invalid_query",
            "message": "month: month '2026-13' is not YYYY-MM",
        }
        assert (await http.get("/api/qa/scores")).status_code == 422
        missing = await http.get("/api/qa/conversations/nope")
        assert (missing.status_code, missing.json()["error"]["code"]) == (404, "not_found")


async def test_a_broken_kpi_file_is_answered_invalid_rules_with_its_line(tmp_path: Path) -> None:
    rules = rules_dir(tmp_path)
    kpi = rules / "kpi.yaml"
    kpi.write_text(kpi.read_text("utf-8").replace("weight: 25", "weight: 20"), "utf-8")
    settings = Settings(
        db_url=f"sqlite+aiosqlite:///{tmp_path / 'qa.db'}", rules_dir=rules, reload_interval_s=0
    )
    async with run_server(settings) as server, httpx.AsyncClient(base_url=server.base) as http:
        response = await http.get("/api/kpi")
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "invalid_rules"
    assert error["message"].endswith(
        "kpi.yaml:11: indicators: Value error, weights sum to 95%, they must sum to 100%"
    )


async def test_an_unpaid_order_reminds_the_agent_panel_and_the_supervisors(tmp_path: Path) -> None:
    settings = Settings(
        db_url=f"sqlite+aiosqlite:///{tmp_path / 'qa.db'}",
        rules_dir=rules_dir(tmp_path, "\nunpaid_after_s: 0.3\n"),
        reload_interval_s=0,
    )
    async with (
        run_server(settings) as server,
        connect(server.ws + "/ws/agent/a-1") as panel,
        connect(server.ws + "/ws/supervisor") as board,
        httpx.AsyncClient(base_url=server.base, headers=JSON) as http,
    ):
        await http.post("/api/events", content=event("o1", "order_placed", order_id="T-1"))
        reminder = await receive_until(panel, lambda f: f.get("kind") == "unpaid_order")
        assert reminder["order_id"] == "T-1" and reminder["agent_id"] == "a-1"
        assert "付款" in reminder["replies"][0]
        assert (await receive_until(board, lambda f: f.get("kind") == "unpaid_order")) == reminder


SHIFTS = """\
timezone: Asia/Shanghai
shifts:
  - {name: day, label: 白班, start: "08:00", end: "17:00", agents: [a-1]}
  - {name: night, label: 晚班, start: "17:00", end: "01:00", agents: [a-2]}
"""


async def test_a_shift_end_sends_the_handover_to_the_agent_and_the_next_shift(
    tmp_path: Path,
) -> None:
    settings = Settings(
        db_url=f"sqlite+aiosqlite:///{tmp_path / 'qa.db'}",
        rules_dir=rules_dir(tmp_path, shifts=SHIFTS),
        reload_interval_s=0,
    )
    clock = ManualClock(parse_ts("2026-11-23T16:59:00+08:00"))
    async with (
        run_server(settings, clock) as server,
        connect(server.ws + "/ws/agent/a-1") as leaving,
        connect(server.ws + "/ws/agent/a-2") as arriving,
        httpx.AsyncClient(base_url=server.base, headers=JSON) as http,
    ):
        await http.post(
            "/api/events",
            content=event(
                "e1", "customer_message", "c-9", customer_id="u-9", text="在吗，还有货吗"
            ),
        )
        await http.post(
            "/api/events", content=event("e2", "order_placed", "c-8", order_id="T-8", amount=59)
        )
        expected = await http.get("/api/handover", params={"agent_id": "a-1"})
        body = expected.json()
        assert [w["conversation_id"] for w in body["waiting_customers"]] == ["c-8", "c-9"]
        assert [q["text"] for q in body["unanswered_questions"]] == ["在吗，还有货吗"]
        assert [(o["order_id"], o["amount"]) for o in body["unpaid_orders"]] == [("T-8", 59.0)]

        clock.now = parse_ts("2026-11-23T17:00:01+08:00")
        await http.post("/api/events", content=event("e3", "agent_typing", "c-7", agent_id="a-3"))
        mine = await receive_until(leaving, lambda f: f["type"] == "handover")
        theirs = await receive_until(arriving, lambda f: f["type"] == "handover")
    assert mine == theirs
    assert (mine["shift"], mine["label"], mine["agent_id"], mine["to_agents"]) == (
        "day",
        "白班",
        "a-1",
        ["a-2"],
    )
    assert mine["ended_at"] == "2026-11-23T09:00:00.000Z"
    assert mine["unpaid_orders"] == body["unpaid_orders"]
    assert mine["unanswered_questions"] == body["unanswered_questions"]


async def test_the_rubric_of_a_chat_masks_personal_data_in_the_messages_it_quotes(
    tmp_path: Path,
) -> None:
    settings = Settings(db_url=f"sqlite+aiosqlite:///{tmp_path / 'qa.db'}", reload_interval_s=0)

    def line(event_id: str, kind: str, **fields: object) -> str:
        body = {"id": event_id, "type": kind, "conversation_id": "c-pii", "agent_id": "a-1"}
        return json.dumps({**body, **fields}, ensure_ascii=False)

    async with run_server(settings) as server:
        async with httpx.AsyncClient(base_url=server.base, headers=JSON) as http:
            body = (
                "["
                + ",".join(
                    [
                        line("p-1", "customer_message", text="在吗"),
                        line("p-2", "agent_message", text="有事打我电话13812345678"),
                        line("p-3", "conversation_closed"),
                    ]
                )
                + "]"
            )
            assert (await http.post("/api/events", content=body)).status_code == 200
            rubric = (await http.get("/api/qa/conversations/c-pii")).json()
    greeting = next(item for item in rubric["items"] if item["item"] == "greeting")
    assert greeting["passed"] is False and greeting["message_id"] == "p-2"
    assert "13812345678" not in greeting["text"] and greeting["text"].startswith("有事打我电话")
