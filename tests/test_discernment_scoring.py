"""Scoring the discernment check: skill apart from suspicion."""

import math

from hypothesis import given
from hypothesis import strategies as st

from saring.discernment.scoring import score

TRUTHS = [True, False] * 10  # ten genuine, ten false


def test_calling_everything_false_catches_every_hoax_but_shows_no_discernment():
    result = score(TRUTHS, [True] * 20)
    assert (result.caught, result.false_items, result.trusted, result.doubted) == (10, 10, 0, 10)
    assert math.isclose(result.d_prime, 0.0, abs_tol=1e-9)
    assert result.bias < -1 and result.leaning == "false"


def test_calling_everything_genuine_is_as_poor_and_leans_the_other_way():
    result = score(TRUTHS, [False] * 20)
    assert (result.caught, result.trusted) == (0, 10)
    assert math.isclose(result.d_prime, 0.0, abs_tol=1e-9) and result.leaning == "genuine"


def test_a_perfect_check_has_high_finite_discernment_and_no_leaning():
    result = score(TRUTHS, [not genuine for genuine in TRUTHS])
    # log-linear correction: rates 10.5/11 and 0.5/11
    assert math.isclose(result.d_prime, 3.381, abs_tol=1e-3)
    assert math.isclose(result.bias, 0.0, abs_tol=1e-9) and result.leaning == "none"


def test_nine_of_ten_hoaxes_caught_and_four_genuine_doubted():
    said = [False] * 20
    for n in (1, 3, 5, 7, 9, 11, 13, 15, 17):  # nine of the false items
        said[n] = True
    for n in (0, 2, 4, 6):  # four genuine
        said[n] = True
    result = score(TRUTHS, said)
    assert (result.caught, result.doubted) == (9, 4)
    assert math.isclose(result.d_prime, 1.3267, abs_tol=1e-3)  # z(9.5/11) - z(4.5/11)
    assert result.bias < 0


@given(st.lists(st.booleans(), min_size=20, max_size=20))
def test_discernment_grows_with_each_hoax_caught_and_falls_with_each_genuine_doubted(said):
    result = score(TRUTHS, said)
    for n, genuine in enumerate(TRUTHS):
        if not genuine and not said[n]:  # catching one more hoax
            assert score(TRUTHS, [*said[:n], True, *said[n + 1:]]).d_prime > result.d_prime
        if genuine and said[n]:  # trusting one more genuine message
            assert score(TRUTHS, [*said[:n], False, *said[n + 1:]]).d_prime > result.d_prime
