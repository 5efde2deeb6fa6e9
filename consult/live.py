"""The signed-in person's live channel (Socket.IO namespace `/live`): the core.

It only signals: "your rooms changed", "your access changed". Pages then re-fetch what they
show over HTTP, through the policy. Each socket joins `user:<id>` so a person's sockets can be
addressed, and `session:<id>` (its SignedInSession) so that ending a session drops its sockets
at once, on every worker.

The domains declare the rest from their `register(app)` (`consult/<domain>/events.py`), per
app: a `Watch` lets a socket join the channel `<prefix>:<id>` when the policy allows what the
object's page allows (`can(need, obj)`, and the confidential gate for what is behind it), and
`on(app, event, act)` adds an event of its own. The namespace dispatches `on_<event>` from that
table, and `recheck` leaves every channel the same table no longer allows. Every event runs
through `consult.handlers.event` (a read unless it writes through `handlers.event_writes`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import socketio
from flask import Flask, current_app, g, request
from flask_socketio import Namespace, disconnect, join_room, leave_room, rooms

from consult import handlers, policy, transaction
from consult.extensions import db
from consult.ids import parse_id
from consult.policy import Need, acting_user, can
from consult.rooms.policy import forget_room_roles

NAMESPACE = "/live"
_KEY = "consult.live"

#: What a domain event does: given who asks (signed in, session live) and the payload, the
#: answer sent back to the socket.
Act = Callable[[Any, Any], Any]


@dataclass(frozen=True)
class Watch:
    """A socket may join `<prefix>:<id>` (event `event`, the id in the payload's `key`) when
    the asker `can(need, obj)` and the confidential gate is open for it (for an object behind
    the gate, or always with `gate=True`: what the object's page asks first).

    `also`: sub-channels `<prefix>:<id>:<name>` joined too when `can(their need, obj)` (the
    chairs' channel); `reply(obj)`: fields added to the answer (a version), read after joining;
    `joined(obj, user, data, channels)`: a hook after joining (it may write through
    `handlers.event_writes`), returning more fields; `left(objs, user)`: a hook when a socket
    that watched these objects disconnects.
    """

    event: str
    prefix: str
    model: type
    key: str
    need: Need = Need.VIEW
    gate: bool = False
    also: tuple[tuple[str, Need], ...] = ()
    reply: Callable[[Any], dict] | None = None
    joined: Callable[[Any, Any, dict, list[str]], dict | None] | None = None
    left: Callable[[list[Any], Any], None] | None = None

    def need_for(self, sub: list[str]) -> Need:
        """The Need of the channel `<prefix>:<id>` (no `sub`) or of a sub-channel."""
        return dict(self.also).get(":".join(sub), self.need) if sub else self.need


#: A guest's credential check (a screen link's token): the channels its socket joins, or None.
Admit = Callable[[Any], list[str] | None]


@dataclass
class Table:
    """An app's live events: the watches by channel prefix, and every event's act; guests
    (sockets with no signed-in person, admitted by a credential in their `auth`) and the
    events a guest may send."""

    watches: dict[str, Watch] = field(default_factory=dict)
    events: dict[str, Act] = field(default_factory=dict)
    guests: dict[str, Admit] = field(default_factory=dict)
    guest_events: set[str] = field(default_factory=set)


#: The namespace's own events (handled below, whatever the domains register).
CORE_EVENTS = frozenset({"connect", "disconnect", "clock", "recheck"})


def table(app: Flask) -> Table:
    """The live events `app`'s domains registered (tests create many apps: one table each)."""
    return app.extensions.setdefault(_KEY, Table())


def on(app: Flask, event: str, act: Act, *, guest: bool = False) -> None:
    """Add the event `event` to `app`'s live channel: `act(user, data)` answers it. With
    `guest`, a guest socket may send it too (`user` is None then: `act` checks the guest's
    credential itself, on every call)."""
    events = table(app).events
    if event in CORE_EVENTS or event in events:
        raise ValueError(f"the live event {event!r} is already handled")
    events[event] = act
    if guest:
        table(app).guest_events.add(event)


def guest(app: Flask, key: str, admit: Admit) -> None:
    """Let a socket with no signed-in person connect when its `auth` carries `key` and
    `admit(auth[key])` names the channels it may join (a deliberately public view that
    authorises by a credential: the projector's screen link)."""
    guests = table(app).guests
    if key in guests:
        raise ValueError(f"the live guest {key!r} is already admitted")
    guests[key] = admit


def _is_guest() -> bool:
    return any(name.startswith("guest:") for name in rooms(sid=request.sid, namespace=NAMESPACE))


def drop(room: str) -> None:
    """Disconnect every socket in `room`, on every worker (after a commit that ends what
    they were allowed: a revoked screen link)."""
    from consult.extensions import socketio

    manager = socketio.server.manager if socketio.server else None
    disconnect_room = getattr(manager, "disconnect_room", None)
    if disconnect_room is not None:
        with current_app.app_context():
            disconnect_room(room, NAMESPACE)


def watch(app: Flask, spec: Watch) -> None:
    """Let sockets of `app` join `spec.prefix` channels through the event `spec.event`."""
    watches = table(app).watches
    if spec.prefix in watches:
        raise ValueError(f"the live channel {spec.prefix!r} is already watched")
    watches[spec.prefix] = spec
    on(app, spec.event, lambda user, data: _watch(spec, user, data))


def handled(app: Flask) -> set[str]:
    """Every event `app`'s live namespace handles (the authorisation table has a row for each)."""
    return set(CORE_EVENTS) | set(table(app).events)


def find(model: type, data: Any, key: str, need: Need = Need.VIEW, *, gate: bool = False):
    """The object the payload names in `key`, if the asker may `need` it now (the gate too, as
    its page would ask), else None (no hint whether it exists)."""
    obj = db.session.get(model, _int(data, key))
    if obj is None or not _allowed(obj, need, gate):
        return None
    return obj


def _allowed(obj: Any, need: Need, gate: bool) -> bool:
    if not can(need, obj, acting_user()):
        return False
    return (policy.gate_closed() if gate else policy.gate_closed(obj)) is None


def join(name: str) -> None:
    """Join `name` and its room in this socket's language, `name@<lang>`: a fragment pushed
    after a change is rendered once per language (transaction.commit), so each socket gets
    it in the words of its page, not in those of whoever acted."""
    from flask_babel import get_locale

    join_room(name)
    join_room(f"{name}@{get_locale() or 'en'}")


def base_name(name: str) -> str:
    """The room a language room belongs to: `meeting:3@fr` -> `meeting:3`."""
    return name.partition("@")[0]


def _watch(spec: Watch, user: Any, data: Any) -> dict:
    """Join the channel of what the payload names, and the sub-channels allowed; answer."""
    obj = find(spec.model, data, spec.key, spec.need, gate=spec.gate)
    if obj is None:
        return {"ok": False}
    channel = f"{spec.prefix}:{obj.id}"
    join(channel)
    channels = [channel]
    for name, need in spec.also:
        if can(need, obj, user):
            join(f"{channel}:{name}")
            channels.append(f"{channel}:{name}")
    # Read what the answer says after joining, in a fresh snapshot (a read keeps the one it
    # began with): a change made in between is either broadcast to this socket or in it.
    db.session.rollback()
    answer = {"ok": True}
    if spec.reply is not None:
        answer |= spec.reply(obj)
    if spec.joined is not None:
        answer |= spec.joined(obj, user, data if isinstance(data, dict) else {}, channels) or {}
    return answer


def _asker(*, drop: bool = True):
    """Who is asking, re-read for every event: rights change while a socket stays open, and
    the signed-in session may have ended (the user loader refuses it then). A socket whose
    session is gone is disconnected (`drop`)."""
    g.pop("_login_user", None)
    forget_room_roles()
    user = acting_user()
    if user is None and drop and not _is_guest():
        disconnect()
    return user


def _watched(name: str) -> tuple[Watch, int, list[str]] | None:
    """The watch of a channel `<prefix>:<id>[:<sub>]` this socket joined (or of its language
    room, `...@<lang>`), its id, its sub."""
    prefix, _, rest = base_name(name).partition(":")
    spec = table(current_app).watches.get(prefix)
    ident, *sub = rest.split(":")
    number = parse_id(ident)
    if spec is None or number is None:
        return None
    return spec, number, sub


class LiveNamespace(Namespace):
    """The `/live` namespace: its own events below, every other `on_<event>` from the app's
    table (Flask-SocketIO looks handlers up by name; unknown events are ignored)."""

    def trigger_event(self, event, *args):
        """Every handler reads unless it declares a write (consult.transaction)."""
        with transaction.reading():
            return super().trigger_event(event, *args)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if not name.startswith("on_") or name[3:] in CORE_EVENTS:
            raise AttributeError(name)
        return lambda *args: _dispatch(name[3:], args[0] if args else None)

    def on_connect(self, auth=None):
        from consult.accounts import sessions

        def act() -> bool:
            user = _asker(drop=False)
            if user is None:
                return _admit_guest(auth)
            row = sessions.current_row()
            if row is None:
                return False
            join(f"user:{user.id}")
            join(f"session:{row.id}")
            return True

        return handlers.event(act)

    def on_clock(self, data=None):
        """The server's time in milliseconds, so countdowns agree whatever a device's clock."""
        return handlers.event(
            lambda: {"ok": False} if _asker() is None and not _is_guest() else _now()
        )

    def on_recheck(self, data=None):
        """Leave every channel the person may no longer watch (after access-changed)."""

        def act() -> dict:
            if _asker() is None:
                return {"left": []}
            left = []
            for name in list(rooms(sid=request.sid, namespace=NAMESPACE)):
                if (watched := _watched(name)) is None:
                    continue
                spec, ident, sub = watched
                thing = db.session.get(spec.model, ident)
                if thing is None or not _allowed(thing, spec.need_for(sub), spec.gate):
                    leave_room(name)
                    if base_name(name) not in left:  # a channel and its language room
                        left.append(base_name(name))
            return {"left": left}

        return handlers.event(act)

    def on_disconnect(self, reason=None):
        """Tell the domains which of their objects this socket watched (meetings: attendance),
        also when the socket is dropped because its session ended: the person is then read
        from the socket's `user:<id>` channel."""
        from consult.accounts.models import User

        def act() -> None:
            names = list(rooms(sid=request.sid, namespace=NAMESPACE))
            user = _asker(drop=False)
            if user is None:
                owner = [base_name(n).split(":")[1] for n in names if n.startswith("user:")]
                user = db.session.get(User, int(owner[0])) if owner else None
            if user is None:
                return
            watched: dict[str, tuple[Watch, list[Any]]] = {}
            for name in names:
                if "@" in name:  # a language room: its channel is in `names` too
                    continue
                if (found := _watched(name)) is None or found[2] or found[0].left is None:
                    continue
                spec, ident, _sub = found
                if (thing := db.session.get(spec.model, ident)) is not None:
                    watched.setdefault(spec.prefix, (spec, []))[1].append(thing)
            for spec, things in watched.values():
                spec.left(things, user)

        handlers.event(act)


def _admit_guest(auth: Any) -> bool:
    """A socket with no signed-in person: admitted only by a registered credential."""
    if not isinstance(auth, dict):
        return False
    for key, admit in table(current_app).guests.items():
        if key in auth and (channels := admit(auth[key])):
            join(f"guest:{key}")
            for name in channels:
                join(name)
            return True
    return False


def _now() -> dict:
    return {"now": time.time() * 1000}


def _dispatch(event: str, data: Any) -> Any:
    """A domain's event, from the app's table: who asks first (refused when signed out)."""
    act = table(current_app).events.get(event)
    if act is None:
        return None

    def run() -> Any:
        user = _asker()
        if user is None:
            if event in table(current_app).guest_events and _is_guest():
                return act(None, data)
            return {"ok": False}
        return act(user, data)

    return handlers.event(run)


class RoomDisconnects:
    """Client-manager mixin: disconnect every socket in a room, on every worker.

    python-socketio disconnects one socket by its id; the sockets of one signed-in session
    may sit on several workers, each knowing only its own. So the request is handled here
    and, with a message queue, published as a "disconnect" message naming a room instead of a
    socket; every worker's manager (this mixin) disconnects its own sockets in that room.
    Workers without the mixin ignore such a message (no socket has the id None).
    """

    def disconnect_room(self, room: str, namespace: str) -> None:
        self._disconnect_local_room(room, namespace)
        if isinstance(self, socketio.PubSubManager):
            self._publish(
                {
                    "method": "disconnect",
                    "sid": None,
                    "room": room,
                    "namespace": namespace,
                    "host_id": self.host_id,
                }
            )

    def _disconnect_local_room(self, room: str, namespace: str) -> None:
        for sid, _eio_sid in list(self.get_participants(namespace, room)):
            self.server.disconnect(sid, namespace=namespace, ignore_queue=True)

    def _handle_disconnect(self, message: dict) -> None:
        if message.get("room"):
            self._disconnect_local_room(message["room"], message.get("namespace") or "/")
        else:
            super()._handle_disconnect(message)


class Manager(RoomDisconnects, socketio.Manager):
    """The single-process manager, with room disconnects."""


def client_manager(url: str | None) -> socketio.Manager:
    """The client manager for `url` (None: one process), as Flask-SocketIO would choose it,
    with room disconnects added (see RoomDisconnects)."""
    if not url:
        return Manager()
    if url.startswith(("redis://", "rediss://")):
        base = socketio.RedisManager
    elif url.startswith("kafka://"):
        base = socketio.KafkaManager
    elif url.startswith("zmq"):
        base = socketio.ZmqManager
    else:
        base = socketio.KombuManager
    managed = type(f"Consult{base.__name__}", (RoomDisconnects, base), {})
    return managed(url, channel="flask-socketio", write_only=False)


def _int(data, key: str) -> int:
    """The id a client sent, or -1 (which names no row) for anything a row id cannot be:
    a huge number would otherwise overflow the database driver inside the handler."""
    value = data.get(key) if isinstance(data, dict) else None
    number = parse_id(value)
    return -1 if number is None else number
