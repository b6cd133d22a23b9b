"""Who is below whom: departments nest, managers' reports have reports."""

from __future__ import annotations

from domain.company import Department, Member, subordinates


def _m(member_id: int, department: int | None = None, manager: int | None = None) -> Member:
    return Member(
        1,
        f"m{member_id}",
        f"m{member_id}",
        department_id=department,
        manager_id=manager,
        id=member_id,
    )


def test_a_head_sees_exactly_their_subtree_and_a_manager_their_reports_reports() -> None:
    departments = {
        10: Department(1, "Sales", head_id=1, id=10),
        11: Department(1, "North", head_id=3, parent_id=10, id=11),
        12: Department(1, "Support", head_id=6, id=12),
    }
    people = [
        _m(1, 10),
        _m(2, 10),
        _m(3, 11),
        _m(4, 11),
        _m(5, manager=2),
        _m(6, 12),
        _m(7, 12),
        _m(8, manager=5),
    ]
    assert subordinates(1, people, departments) == {2, 3, 4, 5, 8}
    assert subordinates(3, people, departments) == {4}
    assert subordinates(2, people, departments) == {5, 8}
    assert subordinates(6, people, departments) == {7}
    assert subordinates(7, people, departments) == frozenset()


def test_a_cycle_in_managers_ends() -> None:
    people = [_m(1, manager=2), _m(2, manager=1)]
    assert subordinates(1, people, {}) == {2}
