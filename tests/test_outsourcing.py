"""The contract register: importing published data, re-importing without duplicates or losing
the branch's own notes, the decision point and the insourcing window."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from branchdesk.members.service import ValidationError
from branchdesk.money import Money
from branchdesk.outsourcing.models import Contract
from branchdesk.outsourcing.ocds import read_ocds
from branchdesk.outsourcing.queries import contract_lines, totals
from branchdesk.outsourcing.service import (
    ContractForm,
    add_event,
    create_contract,
    critical_date,
    decision_point,
    import_records,
    update_contract,
)
from branchdesk.store.database import Database
from branchdesk.store.errors import StaleEdit

SAMPLES = Path(__file__).resolve().parent / "data" / "ocds"
TODAY = date(2026, 11, 23)


def _count(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(Contract)) or 0


def test_decision_point_arithmetic() -> None:
    assert critical_date(date(2028, 3, 31), None) == date(2028, 3, 31)
    assert critical_date(date(2028, 3, 31), date(2027, 9, 30)) == date(2027, 9, 30)
    assert critical_date(None, None) is None
    # Twelve months' notice before 31 March 2028 is 31 March 2027; before 29 February 2028
    # it is 28 February 2027 (the month has no 29th).
    assert decision_point(date(2028, 3, 31), 12) == date(2027, 3, 31)
    assert decision_point(date(2028, 2, 29), 12) == date(2027, 2, 28)
    assert decision_point(date(2028, 3, 31), 0) == date(2028, 3, 31)
    assert decision_point(None, 12) is None
    with pytest.raises(ValueError):
        decision_point(date(2028, 3, 31), -1)


def test_every_sample_file_imports_and_again_without_duplicates(any_db: Database) -> None:
    files = sorted(SAMPLES.rglob("*.json"))
    assert len(files) == 19
    total = 0
    for path in files:
        result = import_records(any_db, read_ocds(path).records, today=TODAY)
        total += result.created
    # The fictional example is one process published nine ways: one contract, updated.
    assert _count(any_db) == total == 10 + 1
    again = [import_records(any_db, read_ocds(p).records, today=TODAY) for p in files]
    assert sum(r.created for r in again) == 0
    assert _count(any_db) == 11
    lines = contract_lines(any_db, TODAY, 12)
    barnet = [line for line in lines if line.authority == "London Borough of Barnet"]
    assert len(barnet) == 1 and barnet[0].contractors == ("AnyCorp Cycle Provision",)
    assert barnet[0].value == Money(11_000_000_00) and barnet[0].end_on == date(2011, 6, 30)
    by_contractor = totals(lines)["contractor"]
    assert by_contractor["AnyCorp Cycle Provision"] == (1, Money(11_000_000_00))


def test_reimport_keeps_what_the_branch_typed(any_db: Database) -> None:
    path = next((SAMPLES / "contracts-finder").glob("*.json"))
    import_records(any_db, read_ocds(path).records, today=TODAY)
    (line,) = contract_lines(any_db, TODAY, 12)
    with any_db.read() as session:
        contract = session.get(Contract, line.id)
        assert contract is not None
        version = contract.version
    form = ContractForm(
        service="Highways maintenance (as staff call it)",
        authority=line.authority,
        contractors=list(line.contractors),
        title=line.title,
        status="insourcing_campaign",
        value=line.value,
        start_on=line.start_on,
        end_on=line.end_on,
        break_on=date(2024, 12, 31),
        tupe_staff=40,
        notes="Branch notes: <b>keep</b> & don't lose",
        version=version,
    )
    update_contract(any_db, line.id, form)
    result = import_records(any_db, read_ocds(path).records, today=TODAY)
    assert (result.created, result.updated) == (0, 0)
    with any_db.read() as session:
        contract = session.get(Contract, line.id)
        assert contract is not None
        assert contract.status == "insourcing_campaign"
        assert contract.notes == "Branch notes: <b>keep</b> & don't lose"
        assert contract.service == "Highways maintenance (as staff call it)"
        assert contract.tupe_staff == 40
        assert contract.critical_on == date(2024, 12, 31)  # the break comes first
    with pytest.raises(StaleEdit):
        update_contract(any_db, line.id, form)  # the version read before the first save


def test_the_insourcing_window(any_db: Database) -> None:
    def contract(service: str, end: date, status: str = "outsourced") -> int:
        return create_contract(
            any_db,
            ContractForm(
                service=service,
                authority="Northmoor Borough Council (demo)",
                contractors=["Greystone Facilities Ltd (demo)"],
                status=status,
                start_on=date(2020, 1, 1),
                end_on=end,
            ),
        )

    soon = contract("Cleaning", date(2027, 6, 30))  # decision point 30 June 2026: passed
    year = contract("Catering", date(2028, 9, 30))  # decision point 30 September 2027
    later = contract("Leisure", date(2029, 12, 31))  # decision point 31 December 2028
    contract("Parks", date(2027, 1, 31), status="returned_in_house")  # not watched
    contract("Old", date(2025, 1, 31))  # ended: nothing to decide
    within_12 = [line.id for line in contract_lines(any_db, TODAY, 12, within_months=12)]
    assert within_12 == [soon, year]
    within_6 = [line.id for line in contract_lines(any_db, TODAY, 12, within_months=6)]
    assert within_6 == [soon]
    within_18 = [line.id for line in contract_lines(any_db, TODAY, 12, within_months=18)]
    assert within_18 == [soon, year]
    assert later in [line.id for line in contract_lines(any_db, TODAY, 12, within_months=36)]
    lines = {line.id: line for line in contract_lines(any_db, TODAY, 12)}
    assert lines[year].decision_on == date(2027, 9, 30)
    assert lines[year].contractors == ("Greystone Facilities Ltd (demo)",)


def test_bad_contracts_and_events_are_refused(any_db: Database) -> None:
    for form, field_name in (
        (ContractForm(service=""), "service"),
        (ContractForm(service="x", status="sold"), "status"),
        (ContractForm(service="x", value=Money(-1)), "value"),
        (ContractForm(service="x", start_on=date(2027, 1, 1), end_on=date(2026, 1, 1)), "end_on"),
        (ContractForm(service="x", tupe_staff=-2), "tupe_staff"),
    ):
        with pytest.raises(ValidationError) as info:
            create_contract(any_db, form)
        assert field_name in info.value.errors
    assert _count(any_db) == 0
    contract_id = create_contract(any_db, ContractForm(service="Cleaning"))
    add_event(any_db, contract_id, date(2026, 10, 1), "complaint", "Unpaid travel time")
    with pytest.raises(ValidationError):
        add_event(any_db, contract_id, date(2026, 10, 1), "rumour", "x")


def _version(db: Database, contract_id: int) -> int:
    with db.read() as session:
        contract = session.get(Contract, contract_id)
        assert contract is not None
        return contract.version


def test_members_affected_are_linked_and_unlinked(any_db: Database) -> None:
    from branchdesk.members.service import MemberForm, create_member
    from branchdesk.outsourcing.service import contract_members, set_contract_members

    ada = create_member(
        any_db, MemberForm(membership_number="M001", first_name="Ada", last_name="Lowmoor")
    )
    bob = create_member(
        any_db, MemberForm(membership_number="M002", first_name="Bob", last_name="Bramble")
    )
    contract_id = create_contract(any_db, ContractForm(service="School meals"))
    assert contract_members(any_db, contract_id) == []
    version = _version(any_db, contract_id)
    # Duplicates (and spaces) collapse; listed by name.
    set_contract_members(any_db, contract_id, ["M001", " M002", "M001"], version)
    assert contract_members(any_db, contract_id) == [
        (bob, "M002", "Bramble, Bob"),
        (ada, "M001", "Lowmoor, Ada"),
    ]
    changed = _version(any_db, contract_id)
    assert changed != version
    # The same set again changes nothing, not even the version.
    set_contract_members(any_db, contract_id, ["M002", "M001"], changed)
    assert _version(any_db, contract_id) == changed
    # Unlinked.
    set_contract_members(any_db, contract_id, ["M001"], changed)
    assert contract_members(any_db, contract_id) == [(ada, "M001", "Lowmoor, Ada")]
    set_contract_members(any_db, contract_id, [], _version(any_db, contract_id))
    assert contract_members(any_db, contract_id) == []


def test_unknown_members_and_stale_versions_are_refused(any_db: Database) -> None:
    from branchdesk.members.service import MemberForm, create_member
    from branchdesk.outsourcing.service import contract_members, set_contract_members

    ada = create_member(
        any_db, MemberForm(membership_number="M001", first_name="Ada", last_name="Lowmoor")
    )
    contract_id = create_contract(any_db, ContractForm(service="Street cleaning"))
    version = _version(any_db, contract_id)
    with pytest.raises(ValidationError) as caught:
        set_contract_members(any_db, contract_id, ["M001", "X9", "X8"], version)
    message = caught.value.errors["members"]
    assert "No member has the membership number X9." in message
    assert "No member has the membership number X8." in message
    assert "M001" not in message
    assert contract_members(any_db, contract_id) == []  # nothing written
    assert _version(any_db, contract_id) == version

    set_contract_members(any_db, contract_id, ["M001"], version)
    # A copy read before that change is refused, and nothing is changed.
    with pytest.raises(StaleEdit):
        set_contract_members(any_db, contract_id, [], version)
    assert contract_members(any_db, contract_id) == [(ada, "M001", "Lowmoor, Ada")]
    # So is a copy read before an edit of the contract's details.
    current = _version(any_db, contract_id)
    update_contract(
        any_db, contract_id, ContractForm(service="Street cleaning", notes="x", version=current)
    )
    with pytest.raises(StaleEdit):
        set_contract_members(any_db, contract_id, [], current)
    assert len(contract_members(any_db, contract_id)) == 1
