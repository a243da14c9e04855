"""Reading OCDS files: real Contracts Finder packages, the OCDS fictional example, and the
messy and broken files an import must survive or refuse clearly."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from branchdesk.outsourcing.ocds import (
    MAX_BYTES,
    ContractRecord,
    OcdsRefused,
    clean_text,
    compile_releases,
    read_ocds,
)

# Real published files, kept unchanged in the repository (tests/data/ocds/SOURCES.md).
SAMPLES = Path(__file__).resolve().parent / "data" / "ocds"
FINDER = SAMPLES / "contracts-finder"
FICTIONAL = SAMPLES / "fictional"
FICTIONAL_OCID = "ocds-213czf-000-00001"

# Contracts Finder: file stem (= ocid) -> (buyer, number of suppliers on the one award).
FINDER_FILES = {
    "ocds-b5fd17raw-0054a4e6-0715-42c6-9109-e219fe9d3289": ("BFI", 2),
    "ocds-b5fd17raw-16c02c4d-99b2-461b-8e6e-e31e22ff7e3d": ("Cambridgeshire County Council", 2),
    "ocds-b5fd17raw-2a971fec-bc5d-40a7-b61f-7d338794056a": (
        "Yorkshire Purchasing Organisation",
        3,
    ),
    "ocds-b5fd17raw-46f35718-d827-4699-b56e-88b2ed6a3138": ("Nottinghamshire County Council", 20),
    "ocds-b5fd17raw-598246e0-8510-4b65-9f27-e27706f3a57a": ("Telford & Wrekin Council", 9),
    "ocds-b5fd17raw-75eaaf37-f36a-47df-b4ce-bb314f4342e8": ("Knowsley Council", 2),
    "ocds-b5fd17raw-7e2a75df-3e8d-41f5-98f5-a7882a88a14d": ("Braintree District Council", 15),
    "ocds-b5fd17raw-aa5f7142-e303-42d6-8072-ccde84de0c49": ("Thanet District Council", 3),
    "ocds-b5fd17raw-c0faffe2-6495-4e68-b782-61b8c97b0c0c": ("East Riding of Yorkshire", 3),
    "ocds-b5fd17raw-e21ec4d9-b6ff-4c23-a70d-889526ac3c20": (
        "UK SHARED BUSINESS SERVICES LIMITED",
        5,
    ),
}
# The fictional example: file -> (award id suffix, contract id suffix, status).
FICTIONAL_FILES = {
    "ocds-213czf-000-00001-01-planning.json": ("", "", "planned"),
    "ocds-213czf-000-00001-02-tender.json": ("", "", "active"),
    "ocds-213czf-000-00001-03-tenderAmendment.json": ("", "", "active"),
    "ocds-213czf-000-00001-04-award.json": ("award-01", "", "pending"),
    "ocds-213czf-000-00001-05-contract.json": ("award-01", "contract-01", "active"),
    "ocds-213czf-000-00001-06-implementation.json": ("award-01", "contract-01", "active"),
    "ocds-213czf-000-00001.json": ("award-01", "contract-01", "active"),
    "record/ocds-213czf-000-00001.json": ("award-01", "contract-01", "active"),
    "record/ocds-213czf-000-00001-withversions.json": ("award-01", "contract-01", "active"),
}


def _write(tmp_path: Path, data: Any, name: str = "data.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _release(rid: str, when: str, ocid: str = "ocds-test-1", **fields: Any) -> dict[str, Any]:
    return {"ocid": ocid, "id": rid, "date": when, "tag": ["tender"], **fields}


def _award_release(amount: Any = 1000, currency: str = "GBP", **award: Any) -> dict[str, Any]:
    return _release(
        "r1",
        "2024-01-01T00:00:00Z",
        buyer={"name": "Anytown Council"},
        tender={"title": "Office cleaning"},
        awards=[
            {
                "id": "a1",
                "status": "active",
                "value": {"amount": amount, "currency": currency},
                "suppliers": [{"id": "s1", "name": "Cleanco Ltd"}],
                "contractPeriod": {"startDate": "2024-04-01", "endDate": "2027-03-31"},
                **award,
            }
        ],
        parties=[{"id": "s1", "name": "Cleanco Ltd", "identifier": {"id": "01234567"}}],
    )


def _one(tmp_path: Path, data: Any) -> ContractRecord:
    result = read_ocds(_write(tmp_path, data))
    assert len(result.records) == 1, (result.records, result.warnings)
    return result.records[0]


# --------------------------------------------------------------------------------------------
# The real sample files


def test_every_sample_file_is_known_to_these_tests() -> None:
    found = {p.relative_to(SAMPLES).as_posix() for p in SAMPLES.rglob("*.json")}
    expected = {f"contracts-finder/{stem}.json" for stem in FINDER_FILES} | {
        f"fictional/{name}" for name in FICTIONAL_FILES
    }
    assert found == expected


@pytest.mark.parametrize("stem", sorted(FINDER_FILES))
def test_contracts_finder_files_give_one_award_each(stem: str) -> None:
    buyer, supplier_count = FINDER_FILES[stem]
    result = read_ocds(FINDER / f"{stem}.json")
    assert result.warnings == []
    [record] = result.records
    assert record.ocid == stem
    assert record.buyer == buyer
    assert len(record.suppliers) == supplier_count
    assert record.award_id and record.contract_id == ""
    assert record.source.startswith("https://www.contractsfinder.service.gov.uk/Published/")
    assert record.currency == "GBP"
    assert isinstance(record.value_pence, int)
    assert record.start is not None and record.end is not None and record.start < record.end
    assert record.max_extent is None
    assert record.status == "active"
    assert record.title and record.description
    # Every Contracts Finder award here names several suppliers against one value.
    assert any("suppliers against one value" in w for w in record.warnings)
    for text in (record.title, record.description, record.buyer, *record.suppliers):
        assert "&amp;" not in text and "&#" not in text and "\r" not in text and "  " not in text


def test_contracts_finder_road_sweepers_framework() -> None:
    [record] = read_ocds(
        FINDER / "ocds-b5fd17raw-7e2a75df-3e8d-41f5-98f5-a7882a88a14d.json"
    ).records
    assert record.release_id == (
        "ocds-b5fd17-7e2a75df-3e8d-41f5-98f5-a7882a88a14d-358105-bip491818616"
    )
    assert record.award_id == "0eea1ce5-1bbc-40a3-9962-a05164cc9994"
    assert record.title == "Road Sweepers"
    assert record.buyer == "Braintree District Council"
    assert record.suppliers[0] == "Stock Sweepers Ltd"
    assert "Karcher UK Ltd" in record.suppliers
    assert record.value_pence == 5_000_000_00
    assert (record.start, record.end) == (date(2020, 4, 20), date(2024, 4, 19))
    assert (
        "framework or shared award with 15 suppliers against one value of £5,000,000.00:"
        " the value is not each supplier's"
    ) in record.warnings
    assert any(w.startswith("15 of 15 suppliers have a blank identifier") for w in record.warnings)


def test_contracts_finder_entities_and_a_zero_value() -> None:
    # Double-encoded ("&amp;amp;") in a supplier name; a £0 award where the tender said £10m.
    [notts] = read_ocds(FINDER / "ocds-b5fd17raw-46f35718-d827-4699-b56e-88b2ed6a3138.json").records
    assert "Reach Housing & Enablement Services Ltd" in notts.suppliers
    assert notts.value_pence == 0
    assert (
        "the value is £0 (probably not stated); the tender estimated £10,000,000.00"
        in notts.warnings
    )
    assert any(w.startswith("16 of 20 suppliers have a blank identifier") for w in notts.warnings)
    assert (notts.start, notts.end) == (date(2019, 4, 3), date(2022, 9, 3))

    [telford] = read_ocds(
        FINDER / "ocds-b5fd17raw-598246e0-8510-4b65-9f27-e27706f3a57a.json"
    ).records
    assert telford.buyer == "Telford & Wrekin Council"
    assert "Waterman Infrastructure & Environment Ltd" in telford.suppliers
    assert telford.value_pence == 139_500_000_00

    [bfi] = read_ocds(FINDER / "ocds-b5fd17raw-0054a4e6-0715-42c6-9109-e219fe9d3289.json").records
    assert "umbrella brand 'UK FILM' under which UK's national" in bfi.description
    assert "caf\u00e9" in bfi.description  # &eacute;
    assert bfi.value_pence == 93_527_00
    # The award's description is a placeholder; the tender's is the useful one.
    assert not bfi.description.startswith("See description")


def test_contracts_finder_suppliers_with_company_numbers_are_not_flagged() -> None:
    [record] = read_ocds(
        FINDER / "ocds-b5fd17raw-2a971fec-bc5d-40a7-b61f-7d338794056a.json"
    ).records
    assert record.suppliers == (
        "Zurich Municipal",
        "Risk Management Partners Ltd",
        "Aon Underwriting Managers",
    )
    assert not any("blank identifier" in w for w in record.warnings)
    assert record.title.startswith("Hart District Council's Further Competition")


@pytest.mark.parametrize("name", sorted(FICTIONAL_FILES))
def test_fictional_example_files(name: str) -> None:
    award, contract, status = FICTIONAL_FILES[name]
    result = read_ocds(FICTIONAL / name)
    assert result.warnings == []
    [record] = result.records
    assert record.ocid == FICTIONAL_OCID
    assert record.buyer == "London Borough of Barnet"
    assert record.award_id == (f"{FICTIONAL_OCID}-{award}" if award else "")
    assert record.contract_id == (f"{FICTIONAL_OCID}-{contract}" if contract else "")
    assert record.status == status
    assert record.currency == "GBP"
    if award:
        assert record.suppliers == ("AnyCorp Cycle Provision",)
        assert record.value_pence == 11_000_000_00
        # "2011-06-30T23:59:00Z": the date as written.
        assert (record.start, record.end) == (date(2010, 7, 1), date(2011, 6, 30))
        assert record.max_extent == date(2011, 12, 31)
        assert record.warnings == ()
    else:
        assert record.suppliers == ()
        assert record.title == "Planned cycle lane improvements"
        assert "no award or contract yet: tender details only" in record.warnings


def test_fictional_release_package_compiles_six_releases_newest_wins() -> None:
    [record] = read_ocds(FICTIONAL / "ocds-213czf-000-00001.json").records
    assert record.release_id == f"{FICTIONAL_OCID}-06-implementation"
    assert record.title == "Contract to build new cycle lanes in the centre of town."
    assert record.source.endswith("fictional-example/ocds-213czf-000-00001.json")
    # The planning release said £1m for the tender, the contract says £11m.
    assert record.value_pence == 11_000_000_00
    [planning] = read_ocds(FICTIONAL / "ocds-213czf-000-00001-01-planning.json").records
    assert planning.value_pence == 1_000_000_00
    assert (planning.start, planning.end) == (date(2010, 6, 1), date(2011, 5, 31))


def test_fictional_record_packages_use_the_compiled_release() -> None:
    compiled = read_ocds(FICTIONAL / "ocds-213czf-000-00001.json").records[0]
    for name in ("ocds-213czf-000-00001.json", "ocds-213czf-000-00001-withversions.json"):
        [record] = read_ocds(FICTIONAL / "record" / name).records
        # The newest release, from the linked releases' urls.
        assert record.release_id == f"{FICTIONAL_OCID}-06-implementation"
        assert record.source.endswith(f"record/{name}")
        for attr in ("title", "buyer", "suppliers", "value_pence", "start", "end", "max_extent"):
            assert getattr(record, attr) == getattr(compiled, attr), attr


def test_a_record_without_compiled_release_is_compiled_from_its_releases(tmp_path: Path) -> None:
    package = json.loads((FICTIONAL / "ocds-213czf-000-00001.json").read_text(encoding="utf-8"))
    releases = list(reversed(package["releases"]))  # out of order: the dates decide
    data = {
        "uri": "https://example.org/r.json",
        "records": [{"ocid": FICTIONAL_OCID, "releases": releases}],
    }
    [record] = read_ocds(_write(tmp_path, data)).records
    expected = read_ocds(FICTIONAL / "ocds-213czf-000-00001.json").records[0]
    assert record.source == "https://example.org/r.json"
    assert record == dataclasses.replace(expected, source=record.source)


def test_a_list_of_packages_as_find_a_tender_publishes(tmp_path: Path) -> None:
    packages = [
        json.loads(path.read_text(encoding="utf-8")) for path in sorted(FINDER.glob("*.json"))
    ]
    result = read_ocds(_write(tmp_path, packages))
    assert sorted(r.ocid for r in result.records) == sorted(FINDER_FILES)
    assert result.warnings == []


def test_reading_all_samples_is_quick() -> None:
    # Measured, not asserted (DESIGN.md: speed belongs in benchmarks/); kept as a smoke test.
    files = sorted(SAMPLES.rglob("*.json"))
    assert sum(len(read_ocds(path).records) for path in files) == len(files)


# --------------------------------------------------------------------------------------------
# Compiling releases


def test_newest_release_wins_by_date_not_file_order(tmp_path: Path) -> None:
    newest = _release(
        "r3",
        "2024-03-01T00:00:00+00:00",
        tender={"title": "Cleaning, retendered"},
        awards=[{"id": "a1", "value": {"amount": 3000, "currency": "GBP"}, "status": "active"}],
    )
    oldest = _release(
        "r1",
        "2024-01-01T00:00:00Z",
        buyer={"name": "Anytown Council"},
        tender={"title": "Cleaning", "status": "active", "description": "Office cleaning"},
        awards=[
            {
                "id": "a1",
                "value": {"amount": 1000, "currency": "GBP"},
                "suppliers": [{"id": "s1", "name": "Cleanco Ltd"}],
                "contractPeriod": {"startDate": "2024-04-01", "endDate": "2026-03-31"},
                "status": "pending",
            }
        ],
    )
    middle = _release(
        "r2",
        "2024-02-01T00:00:00Z",
        awards=[
            {
                "id": "a1",
                "value": {"amount": 2000, "currency": "GBP"},
                "contractPeriod": {"endDate": "2027-03-31"},
            }
        ],
    )
    data = {"uri": "https://example.org/p.json", "releases": [newest, oldest, middle]}
    [record] = read_ocds(_write(tmp_path, data)).records
    assert record.release_id == "r3"
    assert record.title == "Cleaning, retendered"
    assert record.description == "Office cleaning"  # kept from the oldest release
    assert record.buyer == "Anytown Council"
    assert record.award_id == "a1"
    assert record.value_pence == 300000
    assert record.status == "active"
    assert record.suppliers == ("Cleanco Ltd",)
    assert (record.start, record.end) == (date(2024, 4, 1), date(2027, 3, 31))


def test_same_date_then_file_order_wins(tmp_path: Path) -> None:
    first = _release("x", "2024-01-01T00:00:00Z", tender={"title": "First"})
    second = _release("y", "2024-01-01T00:00:00Z", tender={"title": "Second"})
    [record] = read_ocds(_write(tmp_path, {"releases": [first, second]})).records
    assert (record.release_id, record.title) == ("y", "Second")
    # An offset is honoured when ordering: 09:00+02:00 is before 08:00Z.
    early = _release("early", "2024-01-01T09:00:00+02:00", tender={"title": "Early"})
    late = _release("late", "2024-01-01T08:00:00Z", tender={"title": "Late"})
    [record] = read_ocds(_write(tmp_path, {"releases": [late, early]})).records
    assert record.title == "Late"


def test_compile_releases_merge_rules() -> None:
    compiled = compile_releases(
        [
            {
                "ocid": "o",
                "tender": {"title": "A", "status": "active", "items": [{"id": 1, "d": "x"}]},
                "parties": [{"id": "p1", "name": "One", "roles": ["buyer"]}],
                "tag": ["tender"],
            },
            {
                "tender": {"status": None, "items": [{"id": 2, "d": "y"}]},
                "parties": [
                    {"id": "p1", "roles": ["buyer", "payer"]},
                    {"id": "p2", "name": "Two"},
                ],
            },
        ]
    )
    assert compiled["tender"] == {"title": "A", "items": [{"id": 1, "d": "x"}, {"id": 2, "d": "y"}]}
    assert compiled["parties"] == [
        {"id": "p1", "name": "One", "roles": ["buyer", "payer"]},  # plain arrays are replaced
        {"id": "p2", "name": "Two"},
    ]
    assert compiled["tag"] == ["compiled"]


def test_several_ocids_in_one_package(tmp_path: Path) -> None:
    data = {
        "releases": [
            _release("a", "2024-01-01T00:00:00Z", ocid="ocds-x-1", tender={"title": "One"}),
            _release("b", "2024-01-01T00:00:00Z", ocid="ocds-x-2", tender={"title": "Two"}),
        ]
    }
    records = read_ocds(_write(tmp_path, data)).records
    assert [(r.ocid, r.title) for r in records] == [("ocds-x-1", "One"), ("ocds-x-2", "Two")]


def test_one_record_per_contract_and_per_award_without_a_contract(tmp_path: Path) -> None:
    release = _release(
        "r",
        "2024-01-01T00:00:00Z",
        buyer={"name": "Anytown Council"},
        awards=[
            {"id": "a1", "suppliers": [{"name": "Cleanco Ltd"}], "value": {"amount": 10}},
            {"id": "a2", "suppliers": [{"name": "Catering Ltd"}], "value": {"amount": 20}},
        ],
        contracts=[
            {
                "id": "c1",
                "awardID": "a1",
                "status": "active",
                "period": {"startDate": "2024-02-01", "endDate": "2025-01-31"},
                "value": {"amount": "12.5", "currency": "GBP"},
            }
        ],
    )
    records = read_ocds(_write(tmp_path, {"releases": [release]})).records
    assert [(r.award_id, r.contract_id, r.suppliers) for r in records] == [
        ("a1", "c1", ("Cleanco Ltd",)),
        ("a2", "", ("Catering Ltd",)),
    ]
    assert records[0].value_pence == 1250
    assert "the contract value amount was given as text ('12.5')" in records[0].warnings
    assert "the award value has no currency" in records[1].warnings
    assert "no end date" in records[1].warnings


# --------------------------------------------------------------------------------------------
# Shapes of document


def test_a_single_release_and_a_single_record(tmp_path: Path) -> None:
    record = _one(tmp_path, _award_release())
    assert record.source == "data.json"  # no package uri: the file name
    assert (record.buyer, record.suppliers, record.value_pence) == (
        "Anytown Council",
        ("Cleanco Ltd",),
        100000,
    )
    assert record.warnings == ()
    bare = {"ocid": "ocds-test-1", "compiledRelease": _award_release()}
    assert _one(tmp_path, bare).value_pence == 100000


def test_publisher_uri_is_the_source_when_there_is_no_package_uri(tmp_path: Path) -> None:
    data = {"publisher": {"uri": "https://pub.example"}, "releases": [_award_release()]}
    assert _one(tmp_path, data).source == "https://pub.example"


def test_a_record_that_only_links_to_its_releases_warns(tmp_path: Path) -> None:
    data = {
        "records": [{"ocid": "o", "releases": [{"url": "https://x/y.json#r1", "date": "2024"}]}]
    }
    result = read_ocds(_write(tmp_path, data))
    assert result.records == []
    assert result.warnings == [
        "o: the record has no compiledRelease and only links to its releases; nothing to import"
    ]


def test_messy_items_are_skipped_with_warnings(tmp_path: Path) -> None:
    data = [
        {"releases": [_award_release(), 7, {"id": "no-ocid"}]},
        "a stray string",
    ]
    result = read_ocds(_write(tmp_path, data))
    assert len(result.records) == 1
    assert result.warnings == [
        "release 2 of item 1 of the list is a number, not an object; skipped",
        "release 3 of item 1 of the list has no ocid; skipped",
        "item 2 of the list is a text string, not an OCDS package, release or record; skipped",
    ]


def test_empty_package_and_empty_list_warn(tmp_path: Path) -> None:
    assert read_ocds(_write(tmp_path, [])).warnings == [
        "the file holds an empty list: nothing to import"
    ]
    assert read_ocds(_write(tmp_path, {"releases": []})).warnings == [
        "the file is a release package with no releases"
    ]


# --------------------------------------------------------------------------------------------
# Refusals


def _refusal(tmp_path: Path, text: str | bytes, name: str = "bad.json") -> str:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(OcdsRefused) as caught:
        read_ocds(path)
    assert isinstance(caught.value, ValueError)
    return str(caught.value)


def test_malformed_json_is_refused_with_line_and_column(tmp_path: Path) -> None:
    message = _refusal(tmp_path, '{\n  "releases": [\n    {"ocid": "x",}\n  ]\n}')
    assert message.startswith("bad.json: is not valid JSON: ")
    assert message.endswith(
        "Expecting property name enclosed in double quotes at line 3, column 18"
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"name": "not ocds"}', "a JSON object with no 'releases', 'records' or 'ocid'"),
        ("[1, 2, 3]", "a JSON list of numbers that are not OCDS packages, releases or records"),
        ('[{"a": 1}]', "a JSON list of objects that are not OCDS packages"),
        ('"just text"', "the file holds a text string, not an OCDS package"),
        ("42", "the file holds a number, not an OCDS package"),
        ('{"releases": "none"}', "a release package whose 'releases' is a text string, not a list"),
        ('{"records": {"ocid": "x"}}', "a record package whose 'records' is an object, not a list"),
        ("", "the file is empty"),
        (b"\xff\xfe{}", "is not UTF-8 text"),
    ],
)
def test_wrong_shaped_documents_are_refused(
    tmp_path: Path, text: str | bytes, problem: str
) -> None:
    message = _refusal(tmp_path, text)
    assert message.startswith("bad.json: ")
    assert problem in message


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(_award_release()).encode())
    assert len(read_ocds(path).records) == 1


def test_files_over_200_mb_are_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:  # sparse: no disk space is used
        handle.truncate(MAX_BYTES + 1)
    with pytest.raises(OcdsRefused, match=r"^huge\.json: the file is 200 MB; files over 200 MB"):
        read_ocds(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OcdsRefused, match=r"^nothing\.json: cannot be opened"):
        read_ocds(tmp_path / "nothing.json")


# --------------------------------------------------------------------------------------------
# Text, money and dates


def test_html_entities_controls_and_whitespace(tmp_path: Path) -> None:
    assert clean_text("Reach Housing &amp;amp; Enablement") == "Reach Housing & Enablement"
    assert clean_text("UK&#039;s  caf&eacute;\r\n\t next\x00\x1b line") == "UK's café next line"
    assert clean_text("&amp;amp;amp;lt;") == "<"
    assert clean_text(None) == "" and clean_text(12) == "12"
    release = _award_release()
    release["buyer"]["name"] = " Telford &amp; Wrekin\u00a0Council\x07 "
    release["awards"][0]["suppliers"][0]["name"] = "Smith &amp;amp; Sons\n Ltd"
    release["tender"] = {"title": "Parks &#8211; grounds\tmaintenance"}
    record = _one(tmp_path, release)
    assert record.buyer == "Telford & Wrekin Council"
    assert record.suppliers == ("Smith & Sons Ltd",)
    assert record.title == "Parks \u2013 grounds maintenance"


@pytest.mark.parametrize(
    ("amount", "pence", "warning"),
    [
        (
            Decimal("1234.565"),
            123457,
            "the award value 1234.565 has a fraction of a penny; rounded to £1,234.57",
        ),
        (
            Decimal("1234.564"),
            123456,
            "the award value 1234.564 has a fraction of a penny; rounded to £1,234.56",
        ),
        (Decimal("0.29"), 29, None),  # 0.29 * 100 is 28.999999999999996 in floats
        (Decimal("1.1E+3"), 110000, None),
        (Decimal("-10.005"), -1001, "the award value is negative (-£10.01)"),
        (12, 1200, None),
    ],
)
def test_amounts_are_decimal_pence_never_floats(
    tmp_path: Path, amount: Decimal | int, pence: int, warning: str | None
) -> None:
    release = json.dumps(_award_release(amount="AMOUNT")).replace('"AMOUNT"', str(amount))
    path = tmp_path / "money.json"
    path.write_text(release, encoding="utf-8")
    [record] = read_ocds(path).records
    assert type(record.value_pence) is int
    assert record.value_pence == pence
    if warning:
        assert warning in record.warnings
    else:
        assert record.warnings == ()


def test_nan_and_nonsense_amounts_give_no_value(tmp_path: Path) -> None:
    path = tmp_path / "nan.json"
    path.write_text(json.dumps(_award_release(amount="X")).replace('"X"', "NaN"), encoding="utf-8")
    [record] = read_ocds(path).records
    assert record.value_pence is None
    assert "the award value amount 'NaN' is not a number; left blank" in record.warnings
    assert "no value" in record.warnings
    record = _one(tmp_path, _award_release(amount="lots"))
    assert record.value_pence is None
    assert "no value" in record.warnings
    record = _one(tmp_path, _award_release(amount=None))
    assert (record.value_pence, record.warnings) == (None, ("no value",))


def test_currencies(tmp_path: Path) -> None:
    record = _one(tmp_path, _award_release(currency="XYZ"))
    assert record.currency == "XYZ"
    assert "unknown currency 'XYZ'" in record.warnings
    record = _one(tmp_path, _award_release(currency="eur"))
    assert record.currency == "EUR"
    assert "the award value is in EUR, not pounds" in record.warnings
    record = _one(
        tmp_path,
        _award_release(
            amount=1,
            currency="EUR",
            suppliers=[{"id": "s1", "name": "A"}, {"id": "s2", "name": "B"}],
        ),
    )
    assert (
        "framework or shared award with 2 suppliers against one value of 1.00 EUR:"
        " the value is not each supplier's"
    ) in record.warnings


@pytest.mark.parametrize(
    ("period", "expected", "warning"),
    [
        (
            {"startDate": "2024-04-01", "endDate": "2027-03-31"},
            (date(2024, 4, 1), date(2027, 3, 31)),
            None,
        ),
        (
            {"startDate": "2024-04-01T00:00:00+01:00", "endDate": "2027-03-31T23:59:59.000Z"},
            (date(2024, 4, 1), date(2027, 3, 31)),
            None,
        ),
        ({"startDate": "2024-04-01"}, (date(2024, 4, 1), None), "no end date"),
        (
            {"startDate": "1/4/2024", "endDate": "2027-03-31"},
            (None, date(2027, 3, 31)),
            "start date '1/4/2024' is not a date; left blank",
        ),
        (
            {"startDate": "2027-04-01", "endDate": "2024-03-31"},
            (date(2027, 4, 1), date(2024, 3, 31)),
            "the end date 2024-03-31 is before the start date 2027-04-01",
        ),
    ],
)
def test_dates(
    tmp_path: Path, period: dict[str, str], expected: tuple[Any, Any], warning: str | None
) -> None:
    record = _one(tmp_path, _award_release(contractPeriod=period))
    assert (record.start, record.end) == expected
    if warning:
        assert warning in record.warnings
    else:
        assert record.warnings == ()


def test_suppliers_blank_names_identifiers_and_parties(tmp_path: Path) -> None:
    release = _award_release(
        suppliers=[
            {"id": "s1", "name": "Cleanco Ltd"},
            {"id": "s2", "name": "  "},
            {"id": "s3"},  # the name is on the party
            {"name": "Cleanco Ltd"},  # no id: not merged away as a duplicate id would be
        ]
    )
    release["parties"] += [{"id": "s3", "name": "Parkco", "identifier": {"id": ""}}]
    record = _one(tmp_path, release)
    assert record.suppliers == ("Cleanco Ltd", "Parkco")
    assert "a supplier with no name (id 's2'); skipped" in record.warnings
    assert "supplier 'Cleanco Ltd' is listed twice; kept once" in record.warnings
    assert "1 of 2 suppliers have a blank identifier (no company number): Parkco" in record.warnings

    # No suppliers on the award: the parties with the supplier role; the buyer from a party.
    release = _release(
        "r",
        "2024-01-01",
        awards=[{"id": "a1", "value": {"amount": 5, "currency": "GBP"}}],
        parties=[
            {"id": "b", "name": "Anytown Council", "roles": ["procuringEntity"]},
            {"id": "s", "name": "Cleanco Ltd", "roles": ["supplier"], "identifier": {"id": "1"}},
        ],
    )
    record = _one(tmp_path, release)
    assert (record.buyer, record.suppliers) == ("Anytown Council", ("Cleanco Ltd",))


def test_absurd_amounts_and_nesting_do_not_crash(tmp_path: Path) -> None:
    path = tmp_path / "absurd.json"
    path.write_text(
        json.dumps(_award_release(amount="X")).replace('"X"', "1e999999"), encoding="utf-8"
    )
    [record] = read_ocds(path).records
    assert record.value_pence is None
    assert "the award value amount 1E+999999 is implausibly large; left blank" in record.warnings
    message = _refusal(tmp_path, "[" * 100_000 + "]" * 100_000)
    assert message == "bad.json: is not usable JSON: nested too deeply"
