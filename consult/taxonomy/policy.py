"""Terms are reference data like groups: every signed-in person sees them (they are printed
on what is tagged and name the library's pages); only the Secretariat changes them."""

from __future__ import annotations

from consult import policy
from consult.policy import Need
from consult.taxonomy.models import Term


def term_rule(user, need: Need, term: Term) -> bool:
    if need is Need.VIEW:
        return True
    return user.is_secretariat


def register() -> None:
    policy.add(Term, rule=term_rule)
