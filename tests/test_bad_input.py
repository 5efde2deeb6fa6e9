"""No 5xx from any id or parameter: every route, GET and POST, with the values that break things.

Each route of app.url_map gets, one path argument at a time, the largest and smallest integers
(2**63-1, 2**63, 2**64, -2**63-1), negative, zero, leading zeros, non-numeric, Unicode digits and
over-long values; then its valid URL with every query and form parameter the views read set to
each of those values (the names are harvested from the source: request.args / request.form and
every WTForms field, so a new parameter is covered without editing this file). Anything below
500 is an answer (404, 422 with a message ...); a 500 or an exception is a failure.
"""

from __future__ import annotations

import ast
import re
import time
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from wtforms.fields.core import UnboundField

import consult
from consult import handlers, policy
from consult.ids import MAX_INT, IdConverter, parse_id, parse_int
from consult.rooms.models import AccessLevel
from tests import test_authorisation
from tests.test_authorisation import ENDPOINTS

pytestmark = pytest.mark.hardening


@pytest.fixture
def world(db, make_delegation, make_user, make_room, add_member, request):
    """The authorisation table's world (a room and its people), built for this test alone."""
    return test_authorisation.build_world(
        db, make_delegation, make_user, make_room, add_member, request.param
    )


BAD = [
    str(MAX_INT),  # the largest id a row can have (none has it)
    str(MAX_INT + 1),
    str(2**64),
    str(-(2**63) - 1),
    "-1",
    "0",
    "007",
    "1e3",
    "abc",
    "²",  # str.isdigit() says yes, int() says no
    "١٢",  # Arabic-Indic digits: int() reads them
    "9" * 400,
    "x" * 600,
    " ",
    "\x00",
]

#: For the parameters (every one at once, so fewer values: each kind of trouble once).
BAD_PARAMETERS = [str(MAX_INT + 1), str(-(2**63) - 1), "²", "abc", "9" * 400, "x" * 600, "\x00"]

SOURCE = Path(consult.__file__).parent
_PARAM = re.compile(r"request\.(?:args|form|values|files)\.(?:get|getlist)\(\s*\"([^\"]+)\"")
_PREFIXED_FORM = re.compile(r"(\w+Form)\(prefix=\"([\w-]+)\"\)")


def _form_classes() -> list[type]:
    """Every WTForms form defined in consult (imported by create_app through the routes)."""
    found, todo = set(), [FlaskForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub.__module__.startswith("consult.") and sub not in found:
                found.add(sub)
            todo.append(sub)
    return sorted(found, key=lambda c: (c.__module__, c.__name__))


def _fields(form: type) -> set[str]:
    return {n for k in form.__mro__ for n, v in vars(k).items() if isinstance(v, UnboundField)}


def parameter_names() -> list[str]:
    """The query and form parameters the views read, harvested from the source."""
    names, prefixed = set(), set()
    for path in SOURCE.rglob("*.py"):
        text = path.read_text()
        names.update(_PARAM.findall(text))
        prefixed.update(_PREFIXED_FORM.findall(text))
    forms = {form.__name__: form for form in _form_classes()}
    for form in forms.values():
        names.update(_fields(form))
    for form_name, prefix in prefixed:  # AddDelegationForm(prefix="d") sends "d-delegation"
        names.update(f"{prefix}-{field}" for field in _fields(forms[form_name]))
    names.discard("csrf_token")
    return sorted(names)


def test_the_harvest_finds_the_parameters_views_read(app):
    names = parameter_names()
    # From request.args, request.form and forms (with their prefixes), one of each kind.
    for expected in ("page", "from", "item_id", "parent_id", "revision", "d-delegation", "user"):
        assert expected in names


_SEGMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _with(rule, args: dict[str, str], name: str | None = None, value: str = "") -> str:
    """The rule's path with its arguments filled in; `name` replaced by `value` as sent."""

    def fill(match: re.Match) -> str:
        arg = match.group(2)
        raw = value if arg == name else str(args[arg])
        return quote(raw, safe="")

    return _SEGMENT.sub(fill, rule.rule)


ACTORS = [
    pytest.param(AccessLevel.OPEN, "anonymous", id="anonymous"),
    pytest.param(AccessLevel.OPEN, "observer_org", id="outsider"),
    pytest.param(AccessLevel.CONFIDENTIAL, "room_member", id="member"),
    pytest.param(AccessLevel.CONFIDENTIAL, "room_chair", id="chair"),
    pytest.param(AccessLevel.OPEN, "secretariat", id="secretariat"),
]


def _recording(read: set[str]) -> type:
    """Query and form storage that notes every name whose value is looked up ("*": every value,
    by iterating over them; iterating over the names only, as the CSRF check does, reads none)."""

    class Recording(ImmutableMultiDict):
        def __getitem__(self, key):
            read.add(key)
            return super().__getitem__(key)

        def __contains__(self, key):
            read.add(key)
            return super().__contains__(key)

        def get(self, key, *args, **kwargs):
            read.add(key)
            return super().get(key, *args, **kwargs)

        def getlist(self, key, *args, **kwargs):
            read.add(key)
            return super().getlist(key, *args, **kwargs)

    for method in ("values", "items", "lists", "listvalues", "to_dict"):

        def every(self, *args, _method=method, **kwargs):
            read.add("*")
            return getattr(ImmutableMultiDict, _method)(self, *args, **kwargs)

        setattr(Recording, method, every)
    return Recording


def _routed(adapter, url: str, method: str) -> bool:
    """Whether some route takes this URL and method (else Flask answers 404/405 itself)."""
    try:
        adapter.match(unquote(url), method=method)
    except (NotFound, MethodNotAllowed):
        return False
    except Exception:  # noqa: BLE001 - a redirect (a slash added ...): a route answers
        return True
    return True


@pytest.mark.parametrize(("world", "role"), ACTORS, indirect=["world"])
def test_no_route_answers_5xx_to_bad_ids_or_parameters(
    app, client, auth, db, world, role, monkeypatch
):
    """Every route, every path argument with every bad value and every parameter with every bad
    value, as each actor; requests whose answer cannot depend on the route are sent once:

    - a URL no route takes (the converter refused the value): Flask's own 404/405, the same
      code for every route, so once per method and value;
    - a path value refused by the loader of its object (the view never ran): the first value
      on every route, the others once per method, answer and chain of loaders (the same
      Load(Model, Need, by) of another route runs the same code), unless the form is keepable
      (kept drafts look at the path's object before the loaders);
    - parameters on a route where nothing read any of them (the first value tells: the query
      and the form record what is read, here and in everything before the view: sign-in
      check, guards, loaders, the gate, kept drafts): the first value on every route, the
      others once per method and answer, since only code common to all routes saw them.
    """
    names = parameter_names()
    adapter = app.url_map.bind("localhost")
    failures: list[str] = []
    once: set[tuple] = set()  # (method, how it was answered, value) already sent
    read: set[str] = set()  # the names a request looked up in its query or form
    monkeypatch.setattr(app.request_class, "parameter_storage_class", _recording(read))
    loads: list[tuple] = []  # (model, need, by, refused) of every policy.load of a request
    entered: list = []  # the view bodies that ran (handlers call them through this function)
    load, run_view = policy.load, handlers._within_savepoint

    def load_spy(model, ident, need=policy.Need.VIEW, *, by="id"):
        try:
            found = load(model, ident, need, by=by)
        except HTTPException:
            loads.append((model.__name__, str(need), by, True))
            raise
        loads.append((model.__name__, str(need), by, False))
        return found

    def view_spy(view, kwargs, loaded):
        entered.append(view)
        return run_view(view, kwargs, loaded)

    monkeypatch.setattr(policy, "load", load_spy)
    monkeypatch.setattr(handlers, "_within_savepoint", view_spy)

    def sign_in() -> None:
        if role != "anonymous":
            auth.login_quickly(world.users[role])
            with client.session_transaction() as session:
                session["second_factor_at"] = time.time()

    def send(method: str, url: str, params: dict | None = None) -> int | str:
        try:
            if method == "GET":
                response = client.open(url, method="GET", query_string=params)
            else:
                response = client.open(url, method="POST", query_string=params, data=params)
            status = response.status_code
            if method == "POST" or "/sign-in" in response.headers.get("Location", ""):
                sign_in()  # it may have signed the person out, or ended their session
        except Exception as error:  # noqa: BLE001 - every exception is a finding here
            db.session.rollback()
            status = f"{type(error).__name__}: {str(error)[:200]}"
            sign_in()
        if not isinstance(status, int) or status >= 500:
            shown = "" if params is None else f" with {next(iter(params.values()))[:30]!r}"
            failures.append(f"{method} {url[:120]}{shown}: {status}")
        return status

    def first_time(*key) -> bool:
        if key in once:
            return False
        once.add(key)
        return True

    sign_in()
    reading = False
    rules = sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
    for rule in rules:
        if rule.endpoint == "static":
            continue
        valid_url = ENDPOINTS[rule.endpoint][1](world)
        keepable = hasattr(app.view_functions[rule.endpoint], "_keepable")
        for method in sorted({"GET", "POST"} & set(rule.methods)):
            try:
                _endpoint, args = adapter.match(valid_url.split("?")[0], method=method)
            except Exception:  # noqa: BLE001 - the row's URL is for the other method
                _endpoint, args = adapter.match(valid_url.split("?")[0], method="GET")
            for name in args:
                loader = None  # (answer, loads) when a loader refused this argument's value
                for value in BAD:
                    url = _with(rule, args, name, value)
                    if not _routed(adapter, url, method):
                        if first_time(method, "no route", value):
                            send(method, url)
                    elif loader is not None:
                        if first_time(method, *loader, value):
                            send(method, url)
                    else:
                        loads.clear()
                        ran = len(entered)
                        answer = send(method, url)
                        if not keepable and len(entered) == ran and loads and loads[-1][-1]:
                            loader = (answer, tuple(loads))
                            once.add((method, *loader, value))
            url = _with(rule, args)
            read.clear()
            answer = send(method, url, {n: BAD_PARAMETERS[0] for n in names})
            looked_at = "*" in read or not read.isdisjoint(names)
            for value in BAD_PARAMETERS[1:]:
                if looked_at or first_time(method, answer, value):
                    send(method, url, {n: value for n in names})
            reading |= looked_at
    assert entered, "the spy saw no view run: handlers no longer call _within_savepoint"
    assert reading, "no route read a parameter: the recording of reads no longer works"
    assert not failures, f"{len(failures)} answers of 5xx:\n" + "\n".join(failures[:60])


# ---- the converter and the helpers -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        (str(MAX_INT), MAX_INT),
        (str(MAX_INT + 1), None),
        ("0", None),
        ("-1", None),
        ("007", None),
        ("²", None),
        ("١٢", None),
        ("", None),
        (None, None),
        ("9" * 400, None),
        (12, 12),
        (True, None),
    ],
)
def test_parse_id(text, expected):
    assert parse_id(text) == expected


def test_parse_int_keeps_to_its_range():
    assert parse_int("0") == 0
    assert parse_int("5", maximum=4) is None
    assert parse_int("3", minimum=4) is None


def test_the_int_converter_refuses_what_no_row_can_have(app, client, auth, make_user):
    assert app.url_map.converters["int"] is IdConverter
    auth.login(make_user())
    for path in ("/papers/99999999999999999999", f"/papers/{MAX_INT + 1}", "/papers/007"):
        assert client.get(path).status_code == 404, path
    assert client.get(f"/papers/{MAX_INT}").status_code == 404  # in range: simply not there
    # Numbers are built back as plain digits.
    with app.test_request_context():
        from flask import url_for

        assert url_for("papers.paper", paper_id=MAX_INT).endswith(f"/papers/{MAX_INT}")


def test_the_harvest_does_not_miss_a_parameter_read_another_way():
    """request.args["x"] and .to_dict() would slip past the harvest; none are used."""
    for path in SOURCE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute):
                target = node.value
                if (
                    isinstance(target.value, ast.Name)
                    and target.value.id == "request"
                    and target.attr in ("args", "form", "values")
                ):
                    pytest.fail(f"{path}: request.{target.attr}[...] is not harvested")


# ---- what the walk found, one by one -----------------------------------------------------------


def test_a_huge_agenda_number_is_refused_with_a_message(
    client, auth, make_user, make_room, add_member
):
    """WTForms' NumberRange raised OverflowError on 400 nines (math.isnan of a huge int)."""
    from datetime import timedelta

    from consult.meetings import services as meetings
    from consult.meetings.models import MeetingKind, MeetingMode
    from consult.rooms.models import RoomRole
    from consult.timeutil import utcnow

    chair = make_user()
    room = make_room()
    add_member(room, chair, RoomRole.CHAIR)
    meeting = meetings.create_meeting(
        room,
        chair,
        title="Session",
        kind=MeetingKind.WORKING_GROUP_SESSION,
        mode=MeetingMode.HYBRID,
        starts_at=utcnow(),
        ends_at=utcnow() + timedelta(hours=1),
        time_zone="Europe/Zurich",
    )
    auth.login(chair)
    response = client.post(
        f"/meetings/{meeting.id}/items",
        data={
            "number": "9" * 400,
            "title": "Opening",
            "planned_minutes": "30",
            "speaking_limit_seconds": str(2**64),
        },
    )
    assert response.status_code == 422
    assert response.get_data(as_text=True).count("Not a valid integer value.") == 2
    assert meetings.items_of(meeting) == []  # nothing stored; the page says why, at the fields


def test_an_unknown_time_zone_is_refused_without_touching_the_disk():
    from consult.timeutil import is_time_zone

    assert is_time_zone("Europe/Zurich")
    for name in ("x" * 600, "../../etc/passwd", "Europe/Nowhere", "\x00", "", None):
        assert not is_time_zone(name)


# ---- the live channel -------------------------------------------------------------------------

LIVE_BAD_IDS = [MAX_INT + 1, 2**64, -(2**63) - 1, -1, 0, "9" * 400, "x", "", None, 1.5, True, []]


def test_no_live_event_fails_on_a_bad_id(app, client, auth, make_user, socket_client):
    """Every `/live` event that takes an id answers a refusal to what no row can have, and the
    socket stays connected: a huge id once overflowed the driver inside the handler."""
    auth.login(make_user())
    sc = socket_client()
    keys = {"watch_room": "room", "watch_paper": "paper", "watch_thread": "thread"}
    keys |= {"watch_meeting": "meeting", "meeting_here": "meeting"}
    assert set(keys) <= set(test_authorisation.LIVE_EVENTS)
    for event, key in keys.items():
        for value in LIVE_BAD_IDS:
            answer = sc.emit(event, {key: value}, namespace="/live", callback=True)
            assert answer == {"ok": False}, (event, value, answer)
        assert sc.emit(event, "not a dict", namespace="/live", callback=True) == {"ok": False}
    assert sc.is_connected("/live")
