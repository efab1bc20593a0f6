"""plan.json's ``request``: the pins and the deployment options written as typed records and
read back the same; a bad stored option named with its field and rule."""

from __future__ import annotations

import math
from dataclasses import fields
from datetime import date

import pytest

from xunfang.plan import make_slots
from xunfang.planning import deploy
from xunfang.planning.pipeline import PlanRequest, options_as_dict, options_from_dict

SLOTS = make_slots(date(2026, 12, 1), days=1, slot_minutes=60)


def _other(value: object) -> object:
    """A valid value of an option that is not ``value`` (its default)."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):  # dosage_basis
        return {"forecast": "record", "record": "forecast", "both": "record"}[value]
    assert isinstance(value, float)
    return value * 2 + 0.5


def test_request_as_dict_carries_pins_and_non_default_options() -> None:
    pins = (deploy.Pin("TX-M1", (8, 9), post="KS1", note="夜市"),
            deploy.Pin("PS2-C", (22,), grid="G1"))
    req = PlanRequest(start=date(2026, 12, 1), pins=pins,
                      deploy_options=deploy.Options(w_over=7.0, hold_rings=False))
    doc = req.as_dict(SLOTS)
    assert doc["from"] == "2026-12-01" and doc["days"] == 1
    assert doc["deploy_options"] == {"w_over": 7.0, "hold_rings": False}
    assert doc["pins"] == [
        {"unit": "TX-M1", "post": "KS1", "slots": [8, 9], "slots_from": "2026-12-01T08:00",
         "slots_to": "2026-12-01T10:00", "note": "夜市"},
        {"unit": "PS2-C", "grid": "G1", "slots": [22], "slots_from": "2026-12-01T22:00",
         "slots_to": "2026-12-01T23:00"}]
    pins_doc = doc["pins"]
    assert isinstance(pins_doc, list)
    assert tuple(deploy.Pin.from_dict(p) for p in pins_doc) == pins
    assert options_from_dict(doc["deploy_options"]) == req.deploy_options
    # no pins, default options: written as such, read back as "the defaults"
    plain = PlanRequest(start=date(2026, 12, 1)).as_dict()
    assert plain["pins"] == [] and plain["deploy_options"] == {}
    # and every option's value beside them, which reads back as the options themselves
    assert options_from_dict(doc["deploy_options_all"]) == req.deploy_options
    assert options_from_dict(plain["deploy_options_all"]) == deploy.Options()
    assert options_from_dict({}) is None
    assert options_as_dict(deploy.Options()) == {} and options_as_dict(None) == {}


def test_every_option_round_trips() -> None:
    default = deploy.Options()
    for f in fields(deploy.Options):
        value = _other(getattr(default, f.name))
        opts = deploy.Options(**{f.name: value})  # type: ignore[arg-type]
        doc = options_as_dict(opts)
        assert doc == {f.name: value}, f.name
        back = options_from_dict(doc)
        assert back is not None and getattr(back, f.name) == value
        assert type(getattr(back, f.name)) is type(getattr(default, f.name)), f.name
    # a whole number given for a weight is read as the weight it is
    back = options_from_dict({"w_over": 30})
    assert back is not None and back.w_over == 30.0 and isinstance(back.w_over, float)


@pytest.mark.parametrize(("data", "message"), [
    ([1, 2], r"^request\.deploy_options must be an object of option names and values; "
             r"got \[1, 2\]$"),
    ({"w_bogus": 1.0}, r"^request\.deploy_options\.w_bogus: unknown option \(the options are "
                       r".*w_over.*\)$"),
    ({"w_over": "20"}, r"^request\.deploy_options\.w_over must be a finite number >= 0; "
                       r"got '20'$"),
    ({"w_over": -1.0}, r"^request\.deploy_options\.w_over must be a finite number >= 0; "
                       r"got -1\.0$"),
    ({"w_over": math.inf}, r"w_over must be a finite number >= 0; got inf$"),
    ({"w_over": True}, r"w_over must be a finite number >= 0; got True$"),
    ({"dosage_basis": 1}, r"dosage_basis must be a word; got 1$"),
    ({"dosage_basis": "habit"}, r"dosage_basis must be 'record', 'forecast' or 'both'; "
                                r"got 'habit'"),
    ({"mip_gap": -0.1}, r"mip_gap must be a finite number >= 0; got -0\.1$"),
    ({"hold_rings": 0}, r"^request\.deploy_options\.hold_rings must be true or false; "
                        r"got 0$"),
    ({"staging_patrols": 1.5}, r"staging_patrols must be a whole number; got 1\.5$"),
    ({"dosage_floor": True}, r"dosage_floor must be a whole number; got True$"),
    ({"dosage_floor": 0}, r"^request\.deploy_options: Options\.dosage_floor must be a "
                          r"whole number >= 1; got 0$"),
    ({"staging_patrols": -1}, r"^request\.deploy_options: Options\.staging_patrols must be "
                              r"a whole number >= 0; got -1$"),
])
def test_bad_stored_options_name_field_and_rule(data: object, message: str) -> None:
    with pytest.raises(deploy.DeployError, match=message):
        options_from_dict(data, where="request.deploy_options")
