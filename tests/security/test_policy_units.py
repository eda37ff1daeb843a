"""The pure parts of the security layer: roles, tokens, origins, rate limit, bind rule, CSV."""

from __future__ import annotations

import pytest

from assist.security.bind import bind_refusal
from assist.security.csvcell import safe_cell
from assist.security.origins import origin_allowed, parse_origins
from assist.security.ratelimit import RateLimiter
from assist.security.roles import Need, NeedKind, Role, RoleKind, permits
from assist.security.tokens import TokenTable, parse_token_list

SUPERVISOR_TOKEN = "s" * 16 + "-supervisor"
AGENT_TOKEN = "a" * 16 + "-agent"


def test_a_token_list_names_roles_and_agent_ids() -> None:
    pairs = parse_token_list(f"{SUPERVISOR_TOKEN}=supervisor, {AGENT_TOKEN}=agent:a-7,")
    assert pairs == [
        (SUPERVISOR_TOKEN, Role(RoleKind.SUPERVISOR)),
        (AGENT_TOKEN, Role(RoleKind.AGENT, "a-7")),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("justatoken", "entry 1 is not TOKEN=ROLE"),
        (f"{SUPERVISOR_TOKEN}=admin", "unknown role 'admin'"),
        (f"{SUPERVISOR_TOKEN}=agent:", "needs an agent id"),
        (f"{SUPERVISOR_TOKEN}=agent", "needs an agent id"),
    ],
)
def test_a_bad_token_entry_is_named_without_showing_the_token(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        TokenTable(parse_token_list(text))
    assert SUPERVISOR_TOKEN not in str(caught.value)


def test_short_and_repeated_tokens_are_refused_without_showing_them() -> None:
    with pytest.raises(ValueError, match="shorter than 16") as short:
        TokenTable([("tooshort", Role(RoleKind.QA))])
    assert "tooshort" not in str(short.value)
    with pytest.raises(ValueError, match="listed twice"):
        TokenTable([(AGENT_TOKEN, Role(RoleKind.QA)), (AGENT_TOKEN, Role(RoleKind.INGEST))])


def test_lookup_finds_the_role_and_nothing_for_near_misses() -> None:
    table = TokenTable.from_mapping({SUPERVISOR_TOKEN: "supervisor", AGENT_TOKEN: "agent:a-7"})
    assert table.lookup(SUPERVISOR_TOKEN) == Role(RoleKind.SUPERVISOR)
    assert table.lookup(AGENT_TOKEN) == Role(RoleKind.AGENT, "a-7")
    for wrong in (
        None,
        "",
        SUPERVISOR_TOKEN[:-1],
        SUPERVISOR_TOKEN + "x",
        SUPERVISOR_TOKEN.upper(),
    ):
        assert table.lookup(wrong) is None
    assert repr(table) == "TokenTable(2 tokens)"
    assert SUPERVISOR_TOKEN not in repr(vars(table))


# The policy as the issue states it, written out rather than derived from the code.
POLICY = {
    "ingest": {NeedKind.INGEST},
    "supervisor": {NeedKind.AGENT, NeedKind.SUPERVISOR, NeedKind.READ, NeedKind.QA},
    "qa": {NeedKind.READ, NeedKind.QA},
    "agent:a-7": {NeedKind.AGENT},
}


@pytest.mark.parametrize("role_text", sorted(POLICY))
@pytest.mark.parametrize("kind", list(NeedKind))
def test_each_role_may_do_exactly_what_the_policy_lists(role_text: str, kind: NeedKind) -> None:
    role = Role.parse(role_text)
    need = Need(kind, "a-7" if kind is NeedKind.AGENT else None)
    assert permits(role, need) == (kind is NeedKind.OPEN or kind in POLICY[role_text])


def test_an_agent_may_not_use_another_agents_channel() -> None:
    assert not permits(Role(RoleKind.AGENT, "a-7"), Need(NeedKind.AGENT, "a-8"))
    assert permits(Role(RoleKind.SUPERVISOR), Need(NeedKind.AGENT, "a-8"))


@pytest.mark.parametrize(
    ("origin", "scheme", "allowed", "expected"),
    [
        (None, "http", "", True),  # not a browser: judged by the token alone
        ("http://assist.example.com", "http", "", True),  # the service's own origin
        ("https://assist.example.com", "wss", "", True),
        ("https://assist.example.com", "http", "", False),  # same host, other scheme
        ("http://evil.example", "http", "", False),
        ("http://evil.example", "http", "https://chat.example.com", False),
        ("https://chat.example.com", "http", "https://chat.example.com/", True),
        ("https://chat.example.com:443", "http", "https://chat.example.com", True),
        ("http://anything", "http", "*", True),
        ("null", "http", "", False),  # a sandboxed iframe or a file: page
    ],
)
def test_the_origin_allow_list(
    origin: str | None, scheme: str, allowed: str, expected: bool
) -> None:
    assert origin_allowed(origin, "assist.example.com", scheme, parse_origins(allowed)) is expected


def test_the_rate_limit_allows_a_burst_then_the_sustained_rate() -> None:
    limiter = RateLimiter(rate=10, burst=5)
    assert [limiter.allow("k", 0.0) for _ in range(6)] == [True] * 5 + [False]
    assert limiter.allow("other", 0.0)  # keys are independent
    assert limiter.allow("k", 0.1) and not limiter.allow("k", 0.1)  # 0.1 s buys one
    assert RateLimiter(rate=0, burst=1).allow("k", 0.0)  # 0 disables it


def test_without_tokens_only_loopback_may_be_bound() -> None:
    for host in ("127.0.0.1", "::1", "[::1]", "localhost", "127.0.0.2"):
        assert bind_refusal(host, has_tokens=False) is None
    message = bind_refusal("0.0.0.0", has_tokens=False)
    assert message is not None and "ASSIST_TOKENS" in message and "127.0.0.1" in message
    assert bind_refusal("0.0.0.0", has_tokens=True) is None
    assert bind_refusal("assist.example.com", has_tokens=False) is not None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("＝1+1", "'＝1+1"),
        ("a-7", "a-7"),
        (-2.5, -2.5),
        (3, 3),
        (None, None),
    ],
)
def test_csv_cells_that_a_spreadsheet_would_run_are_quoted(value: object, expected: object) -> None:
    assert safe_cell(value) == expected
