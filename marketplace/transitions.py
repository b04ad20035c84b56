"""THE way any state changes: a claimed transition.

Every state machine of the shop (order parts, an order's payment, sellers, stock counts, transfers,
counter sales, change requests) is a `StateMachine`: a table of actions, each allowed from some states
and leading to one. `apply` never reads-then-writes: it runs

    UPDATE <table> SET <column> = :to, ... WHERE id = :id AND <column> = :from [AND guard]

and the row count decides. When another request got there first (a double tap, two clerks, a webhook
racing the expiry job), the update touches no row and `Refused` is raised: the caller's unit of work
rolls back and nothing else changes. Each transition that happens is appended to the status log
(who, when, from, to, why), which the office, the seller and the buyer read on the order.

`claim` is the same guarded update for changes that are not a state column (a quantity, a flag).
This module depends on nothing of the domain packages; they depend on it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import ForeignKey, Index, String, Text, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from .extensions import db
from .models_base import UTCDateTime, utcnow


class StatusChange(db.Model):
    """One line of the status log: which object (machine + id), from which state to which, by whom, why."""
    __tablename__ = "status_log"
    __table_args__ = (Index("ix_status_log_object", "machine", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    machine: Mapped[str] = mapped_column(String(30))  # e.g. "order_part", "order_payment", "seller"
    object_id: Mapped[int]
    action: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[str] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    actor = relationship("User")


class Refused(Exception):
    """The action is not allowed from the object's state, or someone else changed the state first."""

    def __init__(self, machine: str, action: str, state: str | None):
        super().__init__(f"{machine}: cannot {action} from {state}")
        self.machine, self.action, self.state = machine, action, state


def claim(obj, *guards, **values) -> bool:
    """One guarded UPDATE of `obj`'s row: set `values` only where every guard holds (and the id matches).
    True when the row was changed; the object then shows the new values without another query."""
    model = type(obj)
    if hasattr(model, "updated_at") and "updated_at" not in values:
        values["updated_at"] = utcnow()
    changed = db.session.execute(update(model).where(model.id == obj.id, *guards).values(**values)
                                 .execution_options(synchronize_session=False)).rowcount == 1
    if changed:
        for name, value in values.items():
            if not hasattr(value, "__clause_element__") and not hasattr(value, "compile"):
                set_committed_value(obj, name, value)
    return changed


@dataclass
class StateMachine:
    """A state column of a model and the actions that move it: {action: (from states, to state)}."""
    name: str
    model: type
    column: str
    actions: dict[str, tuple[frozenset[str] | set[str], str]]
    states: tuple[str, ...] = field(default=())

    def allows(self, state: str, action: str) -> bool:
        return action in self.actions and state in self.actions[action][0]

    def target(self, action: str) -> str:
        return self.actions[action][1]

    def state_of(self, obj) -> str:
        return getattr(obj, self.column)

    def apply(self, obj, action: str, *, actor_id: int | None = None, reason: str | None = None,
              guards: tuple = (), **values) -> str:
        """Move `obj` by `action` from the state it was read in, or raise Refused; answers that state.
        `guards` add conditions to the same UPDATE; `values` are written with the new state."""
        current = self.state_of(obj)
        if not self.allows(current, action):
            raise Refused(self.name, action, current)
        target = self.target(action)
        column = getattr(self.model, self.column)
        if not claim(obj, column == current, *guards, **{self.column: target}, **values):
            raise Refused(self.name, action, current)
        db.session.add(StatusChange(machine=self.name, object_id=obj.id, action=action, from_state=current,
                                    to_state=target, actor_id=actor_id, reason=reason))
        return current

    def refused_pairs(self) -> list[tuple[str, str]]:
        """Every (state, action) the table does not allow: what the pinning tests try."""
        return [(state, action) for state in self.states for action in self.actions
                if not self.allows(state, action)]


def log_of(machine: str, object_ids) -> list[StatusChange]:
    """The status log of these objects of one machine, oldest first."""
    ids = list(object_ids)
    if not ids:
        return []
    return db.session.scalars(select(StatusChange).where(StatusChange.machine == machine,
                                                         StatusChange.object_id.in_(ids))
                              .options(selectinload(StatusChange.actor))
                              .order_by(StatusChange.at, StatusChange.id)).all()
