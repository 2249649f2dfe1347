"""What changed between the check before and the check after: per learner, per class (or all classes), per
technique, with the gain's 95% confidence interval; in a fixed number of queries."""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist, fmean, stdev

import sqlalchemy as sa

from ..accounts import User
from ..content.model import Library
from ..extensions import db
from .models import PHASES, CheckAnswer, CheckSitting
from .scoring import Discernment

MIN_LEARNERS = 5  # fewer paired learners: no averages, which would let a teacher work out one learner's score
# two-sided 95% critical values of Student's t by degrees of freedom (the standard table); larger: the normal's
T_95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
        11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093,
        20: 2.086, 21: 2.080, 22: 2.074, 23: 2.069, 24: 2.064, 25: 2.060, 26: 2.056, 27: 2.052, 28: 2.048,
        29: 2.045, 30: 2.042, 40: 2.021, 60: 2.000, 120: 1.980}


def t_95(degrees: int) -> float:
    """The two-sided 95% critical value of t: from the table, the next smaller tabled degrees beyond 30."""
    if degrees in T_95:
        return T_95[degrees]
    below = max((d for d in T_95 if d < degrees), default=1)
    return T_95[below] if degrees <= 120 else NormalDist().inv_cdf(0.975)


@dataclass(frozen=True)
class Pair:
    """One learner's check before and after."""

    user: User
    before: Discernment
    after: Discernment

    @property
    def gain(self) -> float:
        """How much better the learner tells them apart after the course (d′ after − d′ before)."""
        return self.after.d_prime - self.before.d_prime


@dataclass(frozen=True)
class Change:
    """A mean before and after, and the mean change with its 95% confidence interval (None below MIN_LEARNERS)."""

    before: float
    after: float
    change: float
    low: float | None
    high: float | None


def change_of(before: list[float], after: list[float]) -> Change | None:
    """The paired change of a figure over the learners, or None when there are too few to show an average."""
    if len(before) < MIN_LEARNERS:
        return None
    differences = [b - a for a, b in zip(before, after, strict=True)]
    mean = fmean(differences)
    margin = t_95(len(differences) - 1) * stdev(differences) / math.sqrt(len(differences))
    return Change(fmean(before), fmean(after), mean, mean - margin, mean + margin)


@dataclass(frozen=True)
class TechniqueChange:
    """How often the false items of one technique were caught, before and after (percent of answers)."""

    technique: str
    before: int
    after: int


@dataclass(frozen=True)
class CheckReport:
    """The paired learners (with both checks), those with one only, and the class's figures."""

    pairs: tuple[Pair, ...]
    only_before: int
    only_after: int
    discernment: Change | None
    bias: Change | None
    caught: Change | None  # share of hoaxes caught, percent
    trusted: Change | None  # share of genuine messages trusted, percent
    techniques: tuple[TechniqueChange, ...]

    @property
    def shows_averages(self) -> bool:
        """Whether there are enough paired learners for averages that identify nobody."""
        return self.discernment is not None


def check_report(library: Library, members: sa.Select | None) -> CheckReport:
    """The report over the learners `members` selects (a SELECT of user ids), or over every learner (None)."""
    sittings = sa.select(CheckSitting)
    if members is not None:
        sittings = sittings.where(CheckSitting.user_id.in_(members))
    latest: dict[tuple[int, str], CheckSitting] = {}
    users: dict[int, User] = {}
    for sitting, user in db.session.execute(sittings.add_columns(User).join(User, User.id == CheckSitting.user_id)
                                            .order_by(CheckSitting.id)):
        latest[sitting.user_id, sitting.phase] = sitting
        users[user.id] = user
    before_phase, after_phase = PHASES
    paired = sorted(user_id for user_id in users if (user_id, before_phase) in latest
                    and (user_id, after_phase) in latest)
    pairs = tuple(Pair(users[u], latest[u, before_phase].score, latest[u, after_phase].score)
                  for u in sorted(paired, key=lambda u: users[u].name.casefold()))
    techniques = technique_changes(library, [latest[u, phase].id for u in paired for phase in PHASES])
    enough = len(pairs) >= MIN_LEARNERS

    def figure(name):
        return change_of([getattr(p.before, name) for p in pairs], [getattr(p.after, name) for p in pairs])

    def share(part, whole):
        return change_of([100 * getattr(p.before, part) / getattr(p.before, whole) for p in pairs],
                         [100 * getattr(p.after, part) / getattr(p.after, whole) for p in pairs])

    return CheckReport(
        pairs=pairs, only_before=sum(1 for u in users if (u, before_phase) in latest) - len(pairs),
        only_after=sum(1 for u in users if (u, after_phase) in latest and (u, before_phase) not in latest),
        discernment=figure("d_prime"), bias=figure("bias"), caught=share("caught", "false_items"),
        trusted=share("trusted", "genuine_items"), techniques=techniques if enough else ())


def technique_changes(library: Library, sitting_ids: list[int]) -> tuple[TechniqueChange, ...]:
    """Per technique, the share of its false items caught in the checks before and after, in one query."""
    technique_of = {item.id: item.technique for form in library.checks for text in form.texts.values()
                    for item in text.items if not item.genuine}
    if not sitting_ids or not technique_of:
        return ()
    rows = db.session.execute(
        sa.select(CheckSitting.phase, CheckAnswer.item_id, CheckAnswer.said_false, sa.func.count())
        .join(CheckSitting, CheckSitting.id == CheckAnswer.sitting_id)
        .where(CheckAnswer.sitting_id.in_(sitting_ids), CheckAnswer.item_id.in_(technique_of))
        .group_by(CheckSitting.phase, CheckAnswer.item_id, CheckAnswer.said_false))
    counts: dict[tuple[str, str], list[int]] = {}
    for phase, item_id, said_false, count in rows:
        caught_total = counts.setdefault((technique_of[item_id], phase), [0, 0])
        caught_total[0] += count if said_false else 0
        caught_total[1] += count
    names = sorted({technique for technique, _ in counts})
    return tuple(TechniqueChange(name, *(round(100 * counts[name, phase][0] / counts[name, phase][1])
                                         if counts.get((name, phase), [0, 0])[1] else 0 for phase in PHASES))
                 for name in names)
