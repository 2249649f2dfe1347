"""Scoring a discernment check as signal detection: skill at telling false from genuine, apart from suspicion.

A false item is the signal. Calling it false is a hit (a hoax caught); calling a genuine item false
is a false alarm (a genuine message doubted). Discernment is d′ = z(hit rate) − z(false-alarm
rate) and bias is c = −(z(hit rate) + z(false-alarm rate)) / 2, both with the log-linear correction
(Hautus 1995: add 0.5 to each count and 1 to each total) so that a perfect or an empty score stays
finite. A learner who calls everything false catches every hoax but doubts every genuine message:
d′ near 0, and a strong bias to "false" (c below 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

Z = NormalDist().inv_cdf
LEANING = 0.25  # |c| under this: no clear leaning either way


@dataclass(frozen=True)
class Discernment:
    """How one sitting of the check went: counts, the two rates, d′ and c."""

    caught: int  # false items called false
    false_items: int
    trusted: int  # genuine items called genuine
    genuine_items: int

    @property
    def doubted(self) -> int:
        """Genuine items called false."""
        return self.genuine_items - self.trusted

    @property
    def fooled(self) -> int:
        """False items called genuine."""
        return self.false_items - self.caught

    def _rates(self) -> tuple[float, float]:
        hit = (self.caught + 0.5) / (self.false_items + 1)
        false_alarm = (self.doubted + 0.5) / (self.genuine_items + 1)
        return hit, false_alarm

    @property
    def d_prime(self) -> float:
        """Discernment: 0 is chance, higher tells false from genuine better, whatever the leaning."""
        hit, false_alarm = self._rates()
        return Z(hit) - Z(false_alarm)

    @property
    def bias(self) -> float:
        """The leaning: below 0 towards calling messages false, above 0 towards calling them genuine."""
        hit, false_alarm = self._rates()
        return -(Z(hit) + Z(false_alarm)) / 2

    @property
    def leaning(self) -> str:
        """"false", "genuine" or "none": which answer the learner gives when unsure."""
        if self.bias <= -LEANING:
            return "false"
        if self.bias >= LEANING:
            return "genuine"
        return "none"


def score(truths: list[bool], said_false: list[bool]) -> Discernment:
    """The score of answers (`said_false`, True for "false") to items whose truth is `truths` (True: genuine)."""
    pairs = list(zip(truths, said_false, strict=True))
    return Discernment(
        caught=sum(said for genuine, said in pairs if not genuine),
        false_items=sum(not genuine for genuine, _ in pairs),
        trusted=sum(not said for genuine, said in pairs if genuine),
        genuine_items=sum(genuine for genuine, _ in pairs),
    )
