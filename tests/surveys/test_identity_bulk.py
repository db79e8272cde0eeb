"""Many pseudonyms at once are the pseudonyms one at a time."""

from __future__ import annotations

from peerlearn.surveys.identity import pseudonym_for, pseudonyms_for


def test_pseudonyms_for_many_people_are_each_ones_pseudonym():
    many = pseudonyms_for(7, [1, 2, 30])
    assert many == {pk: pseudonym_for(7, pk) for pk in (1, 2, 30)}
    assert len(set(many.values())) == 3 and pseudonyms_for(8, [1])[1] != many[1]
